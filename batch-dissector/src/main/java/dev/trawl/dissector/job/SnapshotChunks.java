package dev.trawl.dissector.job;

import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotStatus;
import dev.trawl.core.snapshot.SnapshotStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The chunks of a snapshot, per node and in time order, from its manifest (read through
 * {@link SnapshotStore}); a snapshot without one (chunks copied by hand) is listed, since a
 * chunk's key alone gives its time range.
 */
public final class SnapshotChunks {
    private SnapshotChunks() {}

    /**
     * {@code sha256}: what the snapshot recorded of the chunk (null without a manifest).
     * {@code [windowFromNanos, windowToNanos]}: the part of the chunk inside the snapshot's window
     * (a chunk is copied whole; its packets outside the window are not the snapshot's).
     */
    public record Chunk(String node, String key, long startNanos, long endNanos, long size, long windowFromNanos, long windowToNanos,
            String sha256) {}

    /**
     * Node → its chunks, ordered by start time; nodes sorted by name. From the manifest when
     * there is one (it must be {@code completed}: an assembling snapshot is not dissected), else
     * from a listing. Empty when the snapshot has no data.
     */
    public static Map<String, List<Chunk>> list(S3Client s3, String bucket, String snapshot) {
        var store = new SnapshotStore(s3, bucket);
        Map<String, List<Chunk>> byNode = new TreeMap<>();
        var read = store.read(snapshot);
        if (read.isPresent()) {
            SnapshotManifest manifest = read.get().manifest();
            if (manifest.status() != SnapshotStatus.COMPLETED) {
                throw new IllegalStateException("snapshot '" + snapshot + "' is " + manifest.status().name().toLowerCase(java.util.Locale.ROOT)
                        + (manifest.error() != null ? " (" + manifest.error() + ")" : "") + ", not completed");
            }
            long from = manifest.window().startNanos();
            long to = manifest.window().endNanos();
            for (SnapshotManifest.SnapshotObject o : manifest.objects()) {
                // a manifest names its objects; they must still be inside this snapshot, under their node
                if (!o.key().startsWith(S3Layout.snapshotNodePrefix(snapshot, o.node()))) {
                    throw new IllegalStateException("manifest of '" + snapshot + "' lists a foreign object: " + o.key());
                }
                byNode.computeIfAbsent(o.node(), n -> new ArrayList<>())
                        .add(new Chunk(o.node(), o.key(), o.startNanos(), o.endNanos(), o.sizeBytes(), from, to, o.sha256()));
            }
        } else {
            for (SnapshotStore.StoredChunk stored : store.listedChunks(snapshot)) {
                var k = stored.chunk();
                byNode.computeIfAbsent(k.node(), n -> new ArrayList<>())
                        .add(new Chunk(k.node(), k.key(), k.startNanos(), k.endNanos(), stored.sizeBytes(), Long.MIN_VALUE, Long.MAX_VALUE, null));
            }
        }
        byNode.values().forEach(l -> l.sort(Comparator.comparingLong(Chunk::startNanos).thenComparing(Chunk::key)));
        return byNode;
    }
}
