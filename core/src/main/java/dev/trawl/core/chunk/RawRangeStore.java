package dev.trawl.core.chunk;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Layout.ChunkKey;
import dev.trawl.core.s3.S3Objects;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.json.JsonMapper;

/**
 * A node's raw data range kept in one small object ({@link S3Layout#rawRangeKey}), so
 * {@code /mcp/data-boundaries} costs one GET per node instead of listings whose cost grows with
 * the chunk count (on some S3 implementations, s3proxy's filesystem store among them, any
 * listing walks every key under the prefix). Widened with a compare-and-swap on every
 * {@code pcap.uploaded}; its reader rebuilds it from a listing when it is missing, so it heals
 * itself.
 */
public final class RawRangeStore {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_CAS_ATTEMPTS = 10;

    private final S3Objects objects;

    public RawRangeStore(S3Client s3, String bucket) {
        this.objects = new S3Objects(s3, bucket);
    }

    /** First packet of the node's oldest chunk to last packet of its newest, ns since the epoch. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RawRange(@JsonProperty("node") String node, @JsonProperty("oldest_ns") long oldestNanos,
            @JsonProperty("newest_ns") long newestNanos) {}

    public Optional<RawRange> read(String node) {
        return objects.read(S3Layout.rawRangeKey(node)).map(r -> JSON.readValue(r.bytes(), RawRange.class));
    }

    /** Widens the node's range by a chunk just uploaded. */
    public void record(ChunkKey chunk) {
        widen(chunk.node(), chunk.startNanos(), chunk.endNanos());
    }

    /** Widens the node's range to include {@code [oldest, newest]}, creating it when there is none. */
    public void widen(String node, long oldest, long newest) {
        String key = S3Layout.rawRangeKey(node);
        for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
            var current = objects.read(key);
            RawRange next = new RawRange(node, oldest, newest);
            if (current.isPresent()) {
                RawRange stored = JSON.readValue(current.get().bytes(), RawRange.class);
                next = new RawRange(node, Math.min(stored.oldestNanos(), oldest), Math.max(stored.newestNanos(), newest));
                if (next.equals(stored)) return;
            }
            // another upload of the same node may change it first: then read again and merge into theirs
            if (objects.writeJson(key, JSON.writeValueAsBytes(next), current.map(S3Objects.Read::etag).orElse(null))) return;
        }
    }
}
