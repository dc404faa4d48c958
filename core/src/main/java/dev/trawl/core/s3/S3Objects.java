package dev.trawl.core.s3;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 calls every store makes the same way, on one bucket: a read with its ETag, a
 * compare-and-set write, listings that page. Keys come from {@link S3Layout}; what the objects
 * mean is the stores' business.
 */
public final class S3Objects {
    private static final String JSON = "application/json";

    private final S3Client s3;
    private final String bucket;

    public S3Objects(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    /** An object's bytes and the ETag they were read at. */
    public record Read(byte[] bytes, String etag) {}

    public Optional<Read> read(String key) {
        try {
            var bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            return Optional.of(new Read(bytes.asByteArray(), bytes.response().eTag()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    public boolean exists(String key) {
        try {
            s3.headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return false;
            throw e;
        }
    }

    /** True when anything is stored under the prefix. */
    public boolean any(String prefix) {
        return s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).maxKeys(1)).keyCount() > 0;
    }

    /**
     * Writes JSON only if the object is still at {@code etag} ({@code If-Match}), or, with a null
     * {@code etag}, only if there is none yet ({@link CreateOnce}). False when another writer came
     * first (or deleted it): read again and decide again.
     */
    public boolean writeJson(String key, byte[] json, String etag) {
        if (etag == null) return CreateOnce.create(s3, bucket, key, json, JSON);
        try {
            s3.putObject(b -> b.bucket(bucket).key(key).ifMatch(etag).contentType(JSON), RequestBody.fromBytes(json));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409 || e.statusCode() == 404) return false;
            throw e;
        }
    }

    /** Overwrites unconditionally. */
    public void putJson(String key, byte[] json) {
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(JSON), RequestBody.fromBytes(json));
    }

    /** An empty object: a marker whose key is all it says. */
    public void putMarker(String key) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.empty());
    }

    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
    }

    /** Deletes these keys (in batches of S3's 1000); throws naming the first failure. */
    public void deleteAll(List<String> keys) {
        for (int i = 0; i < keys.size(); i += 1000) {
            var batch = keys.subList(i, Math.min(keys.size(), i + 1000)).stream()
                    .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
            var result = s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(batch).quiet(true).build()));
            if (!result.errors().isEmpty()) {
                throw new IllegalStateException("could not delete " + result.errors().size() + " objects, e.g. "
                        + result.errors().getFirst().key() + ": " + result.errors().getFirst().message());
            }
        }
    }

    /** Every object under the prefix, in key order. */
    public List<S3Object> list(String prefix) {
        List<S3Object> objects = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Response page = s3.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).continuationToken(token).build());
            objects.addAll(page.contents());
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return objects;
    }

    public List<String> keys(String prefix) {
        return list(prefix).stream().map(S3Object::key).toList();
    }

    /** The valid names {@code n} of the folders {@code <prefix><n>/}, in name order (anything else was not written by trawl). */
    public List<String> childNames(String prefix) {
        List<String> names = new ArrayList<>();
        String token = null;
        do {
            var page = s3.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).delimiter("/").continuationToken(token).build());
            for (var p : page.commonPrefixes()) S3Layout.childName(prefix, p.prefix()).ifPresent(names::add);
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return names;
    }
}
