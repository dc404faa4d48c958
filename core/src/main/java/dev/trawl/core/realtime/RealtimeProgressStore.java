package dev.trawl.core.realtime;

import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Objects;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link RealtimeProgress} in S3 ({@link S3Layout#realtimeProgressKey}). Every write is a
 * compare-and-set, so two replicas that both hold a node's lane for a moment never erase each
 * other's progress or gaps.
 */
public final class RealtimeProgressStore {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_CAS_ATTEMPTS = 20;

    private final S3Objects objects;

    public RealtimeProgressStore(S3Client s3, String bucket) {
        this.objects = new S3Objects(s3, bucket);
    }

    /** The node's progress; a node never dissected in real time starts before its first chunk. */
    public RealtimeProgress find(String node) {
        return objects.read(S3Layout.realtimeProgressKey(node)).map(r -> JSON.readValue(r.bytes(), RealtimeProgress.class))
                .orElseGet(() -> RealtimeProgress.start(node));
    }

    /** Applies {@code change} (a pure function) and writes it only if nobody wrote in between. */
    public RealtimeProgress update(String node, UnaryOperator<RealtimeProgress> change) {
        String key = S3Layout.realtimeProgressKey(node);
        for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
            var current = objects.read(key);
            RealtimeProgress next = change.apply(current.map(r -> JSON.readValue(r.bytes(), RealtimeProgress.class))
                    .orElseGet(() -> RealtimeProgress.start(node)));
            if (objects.writeJson(key, JSON.writeValueAsBytes(next), current.map(S3Objects.Read::etag).orElse(null))) return next;
        }
        throw new IllegalStateException("real-time progress of " + node + " kept changing during " + MAX_CAS_ATTEMPTS + " attempts");
    }
}
