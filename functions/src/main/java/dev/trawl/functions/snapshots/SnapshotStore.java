package dev.trawl.functions.snapshots;

import dev.trawl.core.Names;
import dev.trawl.core.s3.CreateOnce;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.functions.web.ApiException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
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
 * Snapshots in S3: the manifest is the record, written with S3's conditional writes so that of
 * two creates of one name exactly one wins ({@code If-None-Match: *}) and two assemblers never
 * overwrite each other's progress ({@code If-Match} on the ETag read). Snapshots still being
 * assembled also have a marker under {@code snapshots/.pending/}, so an upload event finds them
 * without reading every manifest ({@code .pending} is not a valid snapshot name, so it never
 * collides with one).
 */
public final class SnapshotStore {
    private static final String PENDING = S3Layout.SNAPSHOTS + ".pending/";
    /** Exports materialised for presigned downloads live inside the snapshot, so they go when it goes. */
    private static final String EXPORTS = ".exports/";

    private final S3Client s3;
    private final String bucket;

    public SnapshotStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    public record Versioned(SnapshotManifest manifest, String etag) {}

    /** Records a new snapshot; {@link ApiException.Conflict} when the name is taken (also by a concurrent create). */
    public void create(SnapshotManifest manifest) {
        if (!CreateOnce.create(s3, bucket, S3Layout.snapshotManifestKey(manifest.name()), manifest.toJson(), "application/json")) {
            throw new ApiException.Conflict("snapshot '" + manifest.name() + "' already exists");
        }
    }

    public Optional<Versioned> read(String name) {
        try {
            var bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(S3Layout.snapshotManifestKey(name)));
            return Optional.of(new Versioned(SnapshotManifest.fromJson(bytes.asByteArray()), bytes.response().eTag()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    public boolean exists(String name) {
        try {
            s3.headObject(b -> b.bucket(bucket).key(S3Layout.snapshotManifestKey(name)));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return false;
            throw e;
        }
    }

    /** Replaces the manifest if it is still the version read; false when someone else changed or deleted it. */
    public boolean replace(SnapshotManifest manifest, String etag) {
        try {
            s3.putObject(b -> b.bucket(bucket).key(S3Layout.snapshotManifestKey(manifest.name())).ifMatch(etag)
                    .contentType("application/json"), RequestBody.fromBytes(manifest.toJson()));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 404 || e.statusCode() == 409) return false;
            throw e;
        }
    }

    /** Every snapshot's manifest (read in parallel: one GET each), in creation order. */
    public List<SnapshotManifest> list() {
        List<String> names = new ArrayList<>();
        String token = null;
        do {
            var page = s3.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).prefix(S3Layout.SNAPSHOTS).delimiter("/")
                    .continuationToken(token).build());
            for (var p : page.commonPrefixes()) {
                String name = p.prefix().substring(S3Layout.SNAPSHOTS.length(), p.prefix().length() - 1);
                if (Names.isValid(name)) names.add(name);
            }
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        List<SnapshotManifest> manifests = new ArrayList<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            var reads = names.stream().map(n -> executor.submit(() -> read(n))).toList();
            for (var r : reads) r.get().ifPresent(v -> manifests.add(v.manifest()));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        manifests.sort(java.util.Comparator.comparing(SnapshotManifest::createdAt).thenComparing(SnapshotManifest::name));
        return manifests;
    }

    public void markPending(String name) {
        s3.putObject(b -> b.bucket(bucket).key(PENDING + Names.require("snapshot", name)), RequestBody.empty());
    }

    public void unmarkPending(String name) {
        s3.deleteObject(b -> b.bucket(bucket).key(PENDING + Names.require("snapshot", name)));
    }

    public List<String> pending() {
        List<String> names = new ArrayList<>();
        for (String key : keys(PENDING)) {
            String name = key.substring(PENDING.length());
            if (Names.isValid(name)) names.add(name);
        }
        return names;
    }

    /** Keys already present under the snapshot's prefix. */
    public Set<String> objectKeys(String name) {
        return new HashSet<>(keys(S3Layout.snapshotPrefix(name)));
    }

    public String exportKey(String name, String fingerprint, String extension) {
        if (!fingerprint.matches("[0-9a-f]{8,64}") || !extension.matches("pcap|pcapng")) {
            throw new IllegalArgumentException("bad export key part");
        }
        return S3Layout.snapshotPrefix(name) + EXPORTS + fingerprint + "." + extension;
    }

    /**
     * Deletes every object of the snapshot (manifest, copies, exports) and its marker; returns how
     * many. An assembler copying meanwhile removes what it copied once it finds the manifest gone.
     */
    public int deleteAll(String name) {
        int deleted = deleteKeys(name, keys(S3Layout.snapshotPrefix(name)));
        unmarkPending(name);
        return deleted;
    }

    /** Deletes these keys of the snapshot (only keys under its own prefix); returns how many. */
    public int deleteKeys(String name, java.util.Collection<String> keys) {
        String prefix = S3Layout.snapshotPrefix(name);
        List<String> own = keys.stream().filter(k -> k.startsWith(prefix)).toList();
        for (int i = 0; i < own.size(); i += 1000) {
            var batch = own.subList(i, Math.min(own.size(), i + 1000)).stream()
                    .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
            var result = s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(batch).quiet(true).build()));
            if (!result.errors().isEmpty()) {
                throw new ApiException.Internal("could not delete " + result.errors().size() + " objects of snapshot '" + name
                        + "', e.g. " + result.errors().getFirst().key() + ": " + result.errors().getFirst().message(), null);
            }
        }
        return own.size();
    }

    private List<String> keys(String prefix) {
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Response page = s3.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).continuationToken(token).build());
            for (S3Object o : page.contents()) keys.add(o.key());
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return keys;
    }
}
