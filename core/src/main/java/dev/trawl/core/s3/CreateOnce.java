package dev.trawl.core.s3;

import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Creates an object only if none exists under its key ({@code If-None-Match: *}): of concurrent
 * creates exactly one wins. A PUT can reach S3 twice — the HTTP client or the SDK sends it again
 * when the first answer was lost — and the second is then refused because of the first, so each
 * create carries its own id in the object's metadata and a refusal of an object bearing that id
 * is the create's own success.
 */
public final class CreateOnce {
    private static final String REQUEST_ID = "trawl-create-id";

    private CreateOnce() {}

    /** True when this call created the object; false when another writer's object is there. */
    public static boolean create(S3Client s3, String bucket, String key, byte[] body, String contentType) {
        String id = UUID.randomUUID().toString();
        try {
            s3.putObject(b -> b.bucket(bucket).key(key).ifNoneMatch("*").contentType(contentType).metadata(Map.of(REQUEST_ID, id)),
                    RequestBody.fromBytes(body));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() != 412 && e.statusCode() != 409) throw e;
            try {
                return id.equals(s3.headObject(b -> b.bucket(bucket).key(key)).metadata().get(REQUEST_ID));
            } catch (S3Exception gone) {
                if (gone.statusCode() == 404) return false;
                throw gone;
            }
        }
    }
}
