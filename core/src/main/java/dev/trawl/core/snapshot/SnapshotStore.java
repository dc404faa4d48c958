package dev.trawl.core.snapshot;

import dev.trawl.core.s3.NameTakenException;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Layout.ChunkKey;
import dev.trawl.core.s3.S3Objects;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Snapshots in S3: the manifest is the record, written with S3's conditional writes so that of
 * two creates of one name exactly one wins ({@code If-None-Match: *}) and two assemblers never
 * overwrite each other's progress ({@code If-Match} on the ETag read). Snapshots still being
 * assembled also have a marker ({@link S3Layout#pendingSnapshotKey}), so an upload event finds
 * them without reading every manifest.
 */
public final class SnapshotStore {
    private final S3Objects objects;

    public SnapshotStore(S3Client s3, String bucket) {
        this.objects = new S3Objects(s3, bucket);
    }

    public record Versioned(SnapshotManifest manifest, String etag) {}

    /** A chunk's copy found by listing the snapshot, and its size. */
    public record StoredChunk(ChunkKey chunk, long sizeBytes) {}

    /** Records a new snapshot; {@link NameTakenException} when the name is taken (also by a concurrent create). */
    public void create(SnapshotManifest manifest) {
        if (!objects.writeJson(S3Layout.snapshotManifestKey(manifest.name()), manifest.toJson(), null)) {
            throw new NameTakenException("snapshot '" + manifest.name() + "' already exists");
        }
    }

    public Optional<Versioned> read(String name) {
        return objects.read(S3Layout.snapshotManifestKey(name))
                .map(r -> new Versioned(SnapshotManifest.fromJson(r.bytes()), r.etag()));
    }

    public boolean exists(String name) {
        return objects.exists(S3Layout.snapshotManifestKey(name));
    }

    /** True when anything is stored under the snapshot's prefix (chunks copied by hand have no manifest). */
    public boolean hasObjects(String name) {
        return objects.any(S3Layout.snapshotPrefix(name));
    }

    /** Replaces the manifest if it is still the version read; false when someone else changed or deleted it. */
    public boolean replace(SnapshotManifest manifest, String etag) {
        return objects.writeJson(S3Layout.snapshotManifestKey(manifest.name()), manifest.toJson(), etag);
    }

    /** Every snapshot's manifest (read in parallel: one GET each), in creation order. */
    public List<SnapshotManifest> list() {
        List<String> names = objects.childNames(S3Layout.SNAPSHOTS);
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
        objects.putMarker(S3Layout.pendingSnapshotKey(name));
    }

    public void unmarkPending(String name) {
        objects.delete(S3Layout.pendingSnapshotKey(name));
    }

    public List<String> pending() {
        List<String> names = new ArrayList<>();
        for (String key : objects.keys(S3Layout.PENDING_SNAPSHOTS)) S3Layout.parsePendingSnapshotKey(key).ifPresent(names::add);
        return names;
    }

    /** Keys already present under the snapshot's prefix. */
    public Set<String> objectKeys(String name) {
        return new HashSet<>(objects.keys(S3Layout.snapshotPrefix(name)));
    }

    /** The chunk copies a listing of the snapshot finds (for a snapshot without a manifest), in key order. */
    public List<StoredChunk> listedChunks(String name) {
        List<StoredChunk> chunks = new ArrayList<>();
        for (S3Object o : objects.list(S3Layout.snapshotPrefix(name))) {
            S3Layout.parseSnapshotChunkKey(name, o.key()).ifPresent(k -> chunks.add(new StoredChunk(k, o.size())));
        }
        return chunks;
    }

    /** Names of every snapshot with an object in the store (a manifest or not). */
    public List<String> names() {
        return objects.childNames(S3Layout.SNAPSHOTS);
    }

    /** Deletes the snapshot's cached exports last written before {@code cutoff}; how many. */
    public int deleteExportsWrittenBefore(String name, java.time.Instant cutoff) {
        List<String> stale = new ArrayList<>();
        for (S3Object o : objects.list(S3Layout.snapshotExportsPrefix(name))) {
            if (o.lastModified().isBefore(cutoff)) stale.add(o.key());
        }
        if (!stale.isEmpty()) objects.deleteAll(stale);
        return stale.size();
    }

    public String exportKey(String name, String fingerprint, String extension) {
        return S3Layout.snapshotExportKey(name, fingerprint, extension);
    }

    /**
     * Deletes every object of the snapshot (manifest, copies, exports) and its marker; returns how
     * many. An assembler copying meanwhile removes what it copied once it finds the manifest gone.
     */
    public int deleteAll(String name) {
        int deleted = deleteKeys(name, objects.keys(S3Layout.snapshotPrefix(name)));
        unmarkPending(name);
        return deleted;
    }

    /** Deletes these keys of the snapshot (only keys under its own prefix); returns how many. */
    public int deleteKeys(String name, Collection<String> keys) {
        String prefix = S3Layout.snapshotPrefix(name);
        List<String> own = keys.stream().filter(k -> k.startsWith(prefix)).toList();
        try {
            objects.deleteAll(own);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("snapshot '" + name + "': " + e.getMessage(), e);
        }
        return own.size();
    }
}
