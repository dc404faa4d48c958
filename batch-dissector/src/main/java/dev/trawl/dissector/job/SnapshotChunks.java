package dev.trawl.dissector.job;

import dev.trawl.core.Names;
import dev.trawl.core.s3.S3Layout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotStatus;

/**
 * The chunks of a snapshot, per node and in time order: {@code snapshots/<name>/<node>/<start>-<end>.pcap}.
 * The key alone gives a chunk's time range, so a listing is enough to order them.
 */
public final class SnapshotChunks {
    private static final Pattern CHUNK_FILE = Pattern.compile("(\\d{1,19})-(\\d{1,19})\\.pcap(ng)?");

    private SnapshotChunks() {}

    /**
     * {@code [windowFromNanos, windowToNanos]}: the part of the chunk inside the snapshot's window
     * (a chunk is copied whole; its packets outside the window are not the snapshot's).
     */
    public record Chunk(String node, String key, long startNanos, long endNanos, long size, long windowFromNanos, long windowToNanos) {}

    /**
     * Node → its chunks, ordered by start time; nodes sorted by name. From the manifest when
     * there is one (it must be {@code completed}: an assembling snapshot is not dissected), else
     * from a listing. Empty when the snapshot has no data.
     */
    public static Map<String, List<Chunk>> list(S3Client s3, String bucket, String snapshot) {
        String prefix = S3Layout.snapshotPrefix(snapshot);
        Map<String, List<Chunk>> byNode = new TreeMap<>();
        SnapshotManifest manifest;
        try {
            manifest = SnapshotManifest.fromJson(s3.getObjectAsBytes(b -> b.bucket(bucket).key(S3Layout.snapshotManifestKey(snapshot))).asByteArray());
        } catch (NoSuchKeyException none) {
            manifest = null;
        }
        if (manifest != null) {
            if (manifest.status() != SnapshotStatus.COMPLETED) {
                throw new IllegalStateException("snapshot '" + snapshot + "' is " + manifest.status().name().toLowerCase(java.util.Locale.ROOT)
                        + (manifest.error() != null ? " (" + manifest.error() + ")" : "") + ", not completed");
            }
            long from = manifest.window().startNanos();
            long to = manifest.window().endNanos();
            for (SnapshotManifest.SnapshotObject o : manifest.objects()) {
                // a manifest names its objects; they must still be inside this snapshot
                if (!o.key().startsWith(prefix + o.node() + "/")) {
                    throw new IllegalStateException("manifest of '" + snapshot + "' lists a foreign object: " + o.key());
                }
                byNode.computeIfAbsent(o.node(), n -> new ArrayList<>())
                        .add(new Chunk(o.node(), o.key(), o.startNanos(), o.endNanos(), o.sizeBytes(), from, to));
            }
            byNode.values().forEach(l -> l.sort(Comparator.comparingLong(Chunk::startNanos).thenComparing(Chunk::key)));
            return byNode;
        }
        for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            String rest = o.key().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0) continue; // manifest.json and other snapshot-level files
            String node = rest.substring(0, slash);
            Matcher m = CHUNK_FILE.matcher(rest.substring(slash + 1));
            if (!Names.isValid(node) || !m.matches()) continue;
            byNode.computeIfAbsent(node, n -> new ArrayList<>())
                    .add(new Chunk(node, o.key(), Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), o.size(),
                            Long.MIN_VALUE, Long.MAX_VALUE));
        }
        byNode.values().forEach(l -> l.sort(Comparator.comparingLong(Chunk::startNanos).thenComparing(Chunk::key)));
        return byNode;
    }

    public static boolean exists(S3Client s3, String bucket, String snapshot) {
        return s3.listObjectsV2(b -> b.bucket(bucket).prefix(S3Layout.snapshotPrefix(snapshot)).maxKeys(1)).keyCount() > 0;
    }
}
