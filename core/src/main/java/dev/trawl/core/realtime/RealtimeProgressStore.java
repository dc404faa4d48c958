package dev.trawl.core.realtime;

import dev.trawl.core.s3.S3Layout;
import java.util.Optional;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link RealtimeProgress} in S3. Every write is a compare-and-set (If-None-Match on create,
 * If-Match on the ETag after), so two replicas that both hold a node's lane for a moment never
 * erase each other's progress or gaps.
 */
public final class RealtimeProgressStore {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int MAX_CAS_ATTEMPTS = 20;

    private final S3Client s3;
    private final String bucket;

    public RealtimeProgressStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    private record Versioned(RealtimeProgress progress, String etag) {}

    private Optional<Versioned> read(String node) {
        try {
            var bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(S3Layout.realtimeProgressKey(node)));
            return Optional.of(new Versioned(JSON.readValue(bytes.asByteArray(), RealtimeProgress.class), bytes.response().eTag()));
        } catch (NoSuchKeyException none) {
            return Optional.empty();
        }
    }

    /** The node's progress; a node never dissected in real time starts before its first chunk. */
    public RealtimeProgress find(String node) {
        return read(node).map(Versioned::progress).orElseGet(() -> RealtimeProgress.start(node));
    }

    /** Applies {@code change} (a pure function) and writes it only if nobody wrote in between. */
    public RealtimeProgress update(String node, UnaryOperator<RealtimeProgress> change) {
        String key = S3Layout.realtimeProgressKey(node);
        for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
            Optional<Versioned> current = read(node);
            RealtimeProgress next = change.apply(current.map(Versioned::progress).orElseGet(() -> RealtimeProgress.start(node)));
            try {
                s3.putObject(b -> {
                    b.bucket(bucket).key(key).contentType("application/json");
                    if (current.isPresent()) b.ifMatch(current.get().etag());
                    else b.ifNoneMatch("*");
                }, RequestBody.fromBytes(JSON.writeValueAsBytes(next)));
                return next;
            } catch (S3Exception e) {
                if (e.statusCode() != 412 && e.statusCode() != 409) throw e;
                // another writer came first: read again
            }
        }
        throw new IllegalStateException("real-time progress of " + node + " kept changing during " + MAX_CAS_ATTEMPTS + " attempts");
    }
}
