package dev.trawl.functions.capture;

import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Layout.ChunkKey;
import dev.trawl.core.s3.S3Objects;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What {@code raw/} holds, read from listings only: chunk keys carry their
 * time range, so no object is opened to know which chunks a window needs. Stateless: every call
 * asks S3.
 */
public final class ChunkIndex {
    private final S3Client s3;
    private final String bucket;
    private final S3Objects objects;

    public ChunkIndex(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
        this.objects = new S3Objects(s3, bucket);
    }

    /** Nodes that have a {@code raw/} folder, in name order. */
    public List<String> rawNodes() {
        return objects.childNames(S3Layout.RAW);
    }

    /** A node's chunks that hold packets in {@code [fromNanos, toNanos]}, in time order. */
    public List<ChunkKey> chunks(String node, long fromNanos, long toNanos) {
        List<ChunkKey> found = new ArrayList<>();
        String token = null;
        do {
            var request = ListObjectsV2Request.builder().bucket(bucket).prefix(S3Layout.rawPrefix(node)).continuationToken(token).build();
            ListObjectsV2Response page = s3.listObjectsV2(request);
            for (S3Object o : page.contents()) {
                Optional<ChunkKey> chunk = S3Layout.parseChunkKey(o.key());
                if (chunk.isEmpty()) continue;
                // listings are in start order: nothing later can overlap
                if (chunk.get().startNanos() > toNanos) return found;
                if (chunk.get().overlaps(fromNanos, toNanos)) found.add(chunk.get());
            }
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return found;
    }

    /**
     * The oldest chunk start and the newest chunk end of a node, from at most a few small
     * listings however many chunks there are: the oldest is the first key; the newest is found
     * by listing only the keys after a point in time, widening the look-back until something is
     * there.
     */
    public Optional<NodeRange> range(String node, long nowNanos) {
        String prefix = S3Layout.rawPrefix(node);
        Long oldest = null;
        String token = null;
        do {
            var page = s3.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).maxKeys(8).continuationToken(token).build());
            for (S3Object o : page.contents()) {
                var chunk = S3Layout.parseChunkKey(o.key());
                if (chunk.isPresent()) {
                    oldest = chunk.get().startNanos();
                    break;
                }
            }
            token = oldest == null && page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        if (oldest == null) return Optional.empty();

        long lookBack = 60_000_000_000L;
        while (true) {
            long after = nowNanos - lookBack;
            boolean fromTheStart = after <= oldest;
            long newest = Long.MIN_VALUE;
            token = null;
            do {
                var builder = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).continuationToken(token);
                if (!fromTheStart && token == null) builder.startAfter(S3Layout.rawStartAfter(node, after));
                var page = s3.listObjectsV2(builder.build());
                for (S3Object o : page.contents()) {
                    var chunk = S3Layout.parseChunkKey(o.key());
                    if (chunk.isPresent()) newest = Math.max(newest, chunk.get().endNanos());
                }
                token = page.isTruncated() ? page.nextContinuationToken() : null;
            } while (token != null);
            if (newest != Long.MIN_VALUE) return Optional.of(new NodeRange(node, oldest, newest));
            if (fromTheStart) return Optional.empty();
            lookBack = lookBack > Long.MAX_VALUE / 16 ? Long.MAX_VALUE : lookBack * 16;
        }
    }

    public Optional<ChunkMeta> meta(ChunkKey chunk) {
        return objects.read(S3Layout.chunkMetaKey(chunk.key())).map(r -> ChunkMeta.fromJson(r.bytes()));
    }

    /** A node's data: first packet of its oldest chunk to last packet of its newest, ns since the epoch. */
    public record NodeRange(String node, long oldestNanos, long newestNanos) {
        public long oldestMs() {
            return Math.floorDiv(oldestNanos, 1_000_000L);
        }

        public long newestMs() {
            return Math.floorDiv(newestNanos, 1_000_000L);
        }
    }
}
