package dev.trawl.core.dissection;

import dev.trawl.core.s3.NameTakenException;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Objects;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.s3.S3Client;
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

    private final S3Objects objects;

    public DissectionStatusStore(S3Client s3, String bucket) {
        this.objects = new S3Objects(s3, bucket);
    }

    /** Stores a new status; throws {@link NameTakenException} when one exists under that name. */
    public void create(DissectionStatus status) {
        if (!objects.writeJson(S3Layout.dissectionStatusKey(status.snapshot(), status.name()), JSON.writeValueAsBytes(status), null)) {
            throw new NameTakenException("dissection '" + status.name() + "' of snapshot '" + status.snapshot() + "' already exists");
        }
    }

    public Optional<DissectionStatus> find(String snapshot, String name) {
        return read(snapshot, name).map(Versioned::status);
    }

    /** The status with the ETag it was read at, for compare-and-set. */
    public Optional<Versioned> read(String snapshot, String name) {
        return objects.read(S3Layout.dissectionStatusKey(snapshot, name))
                .map(r -> new Versioned(JSON.readValue(r.bytes(), DissectionStatus.class), r.etag()));
    }

    /** Overwrites unconditionally (the job's own first write of a re-run). */
    public void put(DissectionStatus status) {
        objects.putJson(S3Layout.dissectionStatusKey(status.snapshot(), status.name()), JSON.writeValueAsBytes(status));
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
            if (objects.writeJson(key, JSON.writeValueAsBytes(next), current.get().etag())) return Optional.of(next);
            // someone else wrote; read again
        }
        throw new IllegalStateException("status of " + snapshot + "/" + name + " kept changing during " + MAX_CAS_ATTEMPTS + " attempts");
    }

    /** Every dissection, or those of one snapshot, ordered by snapshot then name. */
    public List<DissectionStatus> list(String snapshotOrNull) {
        List<DissectionStatus> out = new ArrayList<>();
        for (String key : objects.keys(S3Layout.dissectionsPrefix(snapshotOrNull))) {
            S3Layout.parseDissectionStatusKey(key).flatMap(d -> read(d.snapshot(), d.name())).ifPresent(v -> out.add(v.status()));
        }
        return out;
    }

    public void delete(String snapshot, String name) {
        objects.delete(S3Layout.dissectionStatusKey(snapshot, name));
    }

    public record Versioned(DissectionStatus status, String etag) {}
}
