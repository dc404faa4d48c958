package dev.trawl.functions.capture;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.trawl.core.Names;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Layout.ChunkKey;
import dev.trawl.functions.capture.ChunkIndex.NodeRange;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import tools.jackson.databind.json.JsonMapper;

/**
 * A node's raw data range kept in one small object, {@code nodes/<node>/raw-range.json}, so
 * {@code /mcp/data-boundaries} costs one GET per node instead of listings whose cost grows with
 * the chunk count (on some S3 implementations, s3proxy's filesystem store among them, any
 * listing walks every key under the prefix). Updated with a compare-and-swap on every
 * {@code pcap.uploaded}; rebuilt from a listing when missing, so it heals itself.
 */
public final class RawIndex {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final S3Client s3;
    private final String bucket;
    private final ChunkIndex chunks;

    public RawIndex(S3Client s3, String bucket, ChunkIndex chunks) {
        this.s3 = s3;
        this.bucket = bucket;
        this.chunks = chunks;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Entry(@JsonProperty("node") String node, @JsonProperty("oldest_ns") long oldestNanos,
            @JsonProperty("newest_ns") long newestNanos) {}

    static String key(String node) {
        return S3Layout.NODES + Names.require("node", node) + "/raw-range.json";
    }

    /** The node's range: from the index, or rebuilt from a listing (and stored) when there is none. */
    public Optional<NodeRange> range(String node, long nowNanos) {
        var stored = read(node);
        if (stored.isPresent()) {
            Entry e = stored.get().entry();
            return Optional.of(new NodeRange(node, e.oldestNanos(), e.newestNanos()));
        }
        Optional<NodeRange> listed = chunks.range(node, nowNanos);
        listed.ifPresent(r -> merge(node, r.oldestNanos(), r.newestNanos()));
        return listed;
    }

    /** Widens the node's range by a chunk just uploaded. */
    public void record(ChunkKey chunk) {
        merge(chunk.node(), chunk.startNanos(), chunk.endNanos());
    }

    private void merge(String node, long oldest, long newest) {
        for (int attempt = 0; attempt < 10; attempt++) {
            var current = read(node);
            Entry next;
            try {
                if (current.isEmpty()) {
                    next = new Entry(node, oldest, newest);
                    byte[] body = JSON.writeValueAsBytes(next);
                    s3.putObject(b -> b.bucket(bucket).key(key(node)).ifNoneMatch("*").contentType("application/json"), RequestBody.fromBytes(body));
                } else {
                    Entry e = current.get().entry();
                    next = new Entry(node, Math.min(e.oldestNanos(), oldest), Math.max(e.newestNanos(), newest));
                    if (next.equals(e)) return;
                    byte[] body = JSON.writeValueAsBytes(next);
                    String etag = current.get().etag();
                    s3.putObject(b -> b.bucket(bucket).key(key(node)).ifMatch(etag).contentType("application/json"), RequestBody.fromBytes(body));
                }
                return;
            } catch (S3Exception e) {
                if (e.statusCode() != 412 && e.statusCode() != 409) throw e;
                // another upload of the same node changed it first: read again and merge into theirs
            }
        }
    }

    private record Versioned(Entry entry, String etag) {}

    private Optional<Versioned> read(String node) {
        try {
            var bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key(node)));
            return Optional.of(new Versioned(JSON.readValue(bytes.asByteArray(), Entry.class), bytes.response().eTag()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }
}
