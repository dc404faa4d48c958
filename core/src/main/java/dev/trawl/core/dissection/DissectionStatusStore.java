package dev.trawl.core.dissection;

import dev.trawl.core.Names;
import dev.trawl.core.s3.CreateOnce;
import dev.trawl.core.s3.S3Layout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and writes {@code dissections/<snapshot>/<name>/status.json}. S3 is the only state: the
 * functions and the job never talk to each other, they meet here.
 *
 * <p>Creation is conditional ({@code If-None-Match: *}), so two requests for the same name
 * cannot both win; updates are compare-and-set on the ETag ({@code If-Match}), so a stop request
 * and the job's progress writes never erase each other.
 */
public final class DissectionStatusStore {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int MAX_CAS_ATTEMPTS = 20;

    private final S3Client s3;
    private final String bucket;

    public DissectionStatusStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    /** Stores a new status; throws {@link NameTakenException} when one exists under that name. */
    public void create(DissectionStatus status) {
        String key = S3Layout.dissectionStatusKey(status.snapshot(), status.name());
        if (!CreateOnce.create(s3, bucket, key, JSON.writeValueAsBytes(status), "application/json")) {
            throw new NameTakenException(status.snapshot(), status.name());
        }
    }

    public Optional<DissectionStatus> find(String snapshot, String name) {
        return read(snapshot, name).map(Versioned::status);
    }

    /** The status with the ETag it was read at, for compare-and-set. */
    public Optional<Versioned> read(String snapshot, String name) {
        String key = S3Layout.dissectionStatusKey(snapshot, name);
        try {
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            return Optional.of(new Versioned(JSON.readValue(bytes.asByteArray(), DissectionStatus.class), bytes.response().eTag()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    /** Overwrites unconditionally (the job's own first write of a re-run). */
    public void put(DissectionStatus status) {
        String key = S3Layout.dissectionStatusKey(status.snapshot(), status.name());
        s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json"),
                RequestBody.fromBytes(JSON.writeValueAsBytes(status)));
    }

    /**
     * Applies {@code change} to the current status and writes it only if nobody wrote in between
     * (else reads again and re-applies). Returns the stored result; empty if there is no status
     * (deleted meanwhile). {@code change} must be a pure function of its input.
     */
    public Optional<DissectionStatus> update(String snapshot, String name, UnaryOperator<DissectionStatus> change) {
        String key = S3Layout.dissectionStatusKey(snapshot, name);
        for (int attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
            Optional<Versioned> current = read(snapshot, name);
            if (current.isEmpty()) return Optional.empty();
            DissectionStatus next = change.apply(current.get().status());
            if (next.equals(current.get().status())) return Optional.of(next);
            try {
                s3.putObject(b -> b.bucket(bucket).key(key).contentType("application/json").ifMatch(current.get().etag()),
                        RequestBody.fromBytes(JSON.writeValueAsBytes(next)));
                return Optional.of(next);
            } catch (S3Exception e) {
                if (e.statusCode() != 412 && e.statusCode() != 409) throw e;
                // someone else wrote; read again
            }
        }
        throw new IllegalStateException("status of " + snapshot + "/" + name + " kept changing during " + MAX_CAS_ATTEMPTS + " attempts");
    }

    /** Every dissection, or those of one snapshot, ordered by snapshot then name. */
    public List<DissectionStatus> list(String snapshotOrNull) {
        String prefix = snapshotOrNull == null ? S3Layout.DISSECTIONS
                : S3Layout.DISSECTIONS + Names.require("snapshot", snapshotOrNull) + "/";
        List<DissectionStatus> out = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            String[] parts = object.key().split("/");
            // dissections/<snapshot>/<name>/status.json and nothing else
            if (parts.length != 4 || !parts[3].equals("status.json") || !Names.isValid(parts[1]) || !Names.isValid(parts[2])) continue;
            read(parts[1], parts[2]).ifPresent(v -> out.add(v.status()));
        }
        return out;
    }

    public void delete(String snapshot, String name) {
        s3.deleteObject(b -> b.bucket(bucket).key(S3Layout.dissectionStatusKey(snapshot, name)));
    }

    public record Versioned(DissectionStatus status, String etag) {}

    /** A dissection of that snapshot already has this name (HTTP 409). */
    public static final class NameTakenException extends RuntimeException {
        public NameTakenException(String snapshot, String name) {
            super("dissection '" + name + "' of snapshot '" + snapshot + "' already exists");
        }
    }
}
