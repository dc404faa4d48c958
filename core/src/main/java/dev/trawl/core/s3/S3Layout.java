package dev.trawl.core.s3;

import dev.trawl.core.Names;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bucket's key layout (docs/architecture.md, "S3 layout"). Every key trawl reads or writes is
 * built and parsed here, from validated names only; the stores ({@code ChunkStore},
 * {@code HeartbeatStore}, {@code RawRangeStore}, {@code SnapshotStore},
 * {@code DissectionStatusStore}) read and write them through {@link S3Objects}. A new kind of
 * object gets its key here and a store beside its record.
 */
public final class S3Layout {
    public static final String RAW = "raw/";
    public static final String NODES = "nodes/";
    public static final String SNAPSHOTS = "snapshots/";
    public static final String DISSECTIONS = "dissections/";
    public static final String AUDIT = "audit/";
    private static final java.time.format.DateTimeFormatter AUDIT_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'/'yyyyMMdd'T'HHmmss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);
    public static final String CHUNK_SUFFIX = ".pcap";
    public static final String META_SUFFIX = ".meta.json";

    /** Snapshots still being assembled: {@code snapshots/.pending/<name>} ({@code .pending} is never a valid name). */
    public static final String PENDING_SNAPSHOTS = SNAPSHOTS + ".pending/";
    /** Exports materialised for presigned downloads live inside the snapshot, so they go when it goes. */
    private static final String EXPORTS = ".exports/";
    public static final String REALTIME_DATASET = "realtime";

    private static final Pattern CHUNK = Pattern.compile("raw/(" + Names.RULE + ")/(\\d{1,19})-(\\d{1,19})\\.pcap");
    private static final Pattern SNAPSHOT_CHUNK = Pattern.compile("(" + Names.RULE + ")/(\\d{1,19})-(\\d{1,19})\\.pcap(ng)?");
    private static final Pattern DISSECTION_STATUS = Pattern.compile("dissections/(" + Names.RULE + ")/(" + Names.RULE + ")/status\\.json");

    private S3Layout() {}

    public static String rawPrefix(String node) {
        return RAW + Names.require("node", node) + "/";
    }

    /** {@code raw/<node>/<startNanos>-<endNanos>.pcap}: the key alone gives the chunk's time range. */
    public static String chunkKey(String node, long startNanos, long endNanos) {
        if (startNanos < 0 || endNanos < startNanos) {
            throw new IllegalArgumentException("chunk range " + startNanos + "-" + endNanos + " is not a range");
        }
        // zero-padded so that a listing (lexicographic) is in time order
        return rawPrefix(node) + String.format("%019d-%019d.pcap", startNanos, endNanos);
    }

    /** The meta beside a chunk (also a chunk's file name to its meta's, as the daemon's spool names them). */
    public static String chunkMetaKey(String chunkKey) {
        if (!chunkKey.endsWith(CHUNK_SUFFIX)) throw new IllegalArgumentException("not a chunk key: " + chunkKey);
        return chunkKey.substring(0, chunkKey.length() - CHUNK_SUFFIX.length()) + META_SUFFIX;
    }

    /** The node's chunk whose file name (the key's last part) is {@code fileName}; empty when it is not one. */
    public static Optional<ChunkKey> parseChunkFileName(String node, String fileName) {
        return parseChunkKey(rawPrefix(node) + fileName);
    }

    /** Parses a {@code raw/} chunk key; empty for anything else (meta files, strangers). */
    public static Optional<ChunkKey> parseChunkKey(String key) {
        Matcher m = CHUNK.matcher(key);
        if (!m.matches()) return Optional.empty();
        try {
            return Optional.of(new ChunkKey(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), key));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Keys after this one in a node's {@code raw/} listing are chunks that start at or after {@code nanos}. */
    public static String rawStartAfter(String node, long nanos) {
        return rawPrefix(node) + String.format("%019d", nanos);
    }

    /** The name in a listing's common prefix {@code <prefix><name>/}; empty when it is not a valid name (not trawl's). */
    public static Optional<String> childName(String prefix, String commonPrefix) {
        if (!commonPrefix.startsWith(prefix) || !commonPrefix.endsWith("/")) return Optional.empty();
        String name = commonPrefix.substring(prefix.length(), commonPrefix.length() - 1);
        return Names.isValid(name) ? Optional.of(name) : Optional.empty();
    }

    public static String heartbeatKey(String node) {
        return NODES + Names.require("node", node) + "/heartbeat.json";
    }

    /** A node's real-time lane progress: the last chunk dissected and the gaps left. */
    public static String realtimeProgressKey(String node) {
        return NODES + Names.require("node", node) + "/realtime.json";
    }

    /** {@code nodes/<node>/raw-range.json}: the node's oldest and newest chunk, kept by {@code RawRangeStore}. */
    public static String rawRangeKey(String node) {
        return NODES + Names.require("node", node) + "/raw-range.json";
    }

    public static String snapshotPrefix(String snapshot) {
        return SNAPSHOTS + Names.require("snapshot", snapshot) + "/";
    }

    public static String snapshotManifestKey(String snapshot) {
        return snapshotPrefix(snapshot) + "manifest.json";
    }

    /** Where a node's chunk copies live inside a snapshot: {@code snapshots/<name>/<node>/}. */
    public static String snapshotNodePrefix(String snapshot, String node) {
        return snapshotPrefix(snapshot) + Names.require("node", node) + "/";
    }

    /** Where a raw chunk's copy lives inside a snapshot: {@code snapshots/<name>/<node>/<file>}. */
    public static String snapshotChunkKey(String snapshot, ChunkKey chunk) {
        return snapshotNodePrefix(snapshot, chunk.node()) + chunk.fileName();
    }

    /**
     * Parses a chunk's copy inside a snapshot, {@code snapshots/<name>/<node>/<start>-<end>.pcap};
     * empty for the manifest, exports and strangers. The result's key is the snapshot's copy.
     */
    public static Optional<ChunkKey> parseSnapshotChunkKey(String snapshot, String key) {
        String prefix = snapshotPrefix(snapshot);
        if (!key.startsWith(prefix)) return Optional.empty();
        Matcher m = SNAPSHOT_CHUNK.matcher(key.substring(prefix.length()));
        if (!m.matches() || !Names.isValid(m.group(1))) return Optional.empty();
        try {
            return Optional.of(new ChunkKey(m.group(1), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), key));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    public static String pendingSnapshotKey(String snapshot) {
        return PENDING_SNAPSHOTS + Names.require("snapshot", snapshot);
    }

    public static Optional<String> parsePendingSnapshotKey(String key) {
        if (!key.startsWith(PENDING_SNAPSHOTS)) return Optional.empty();
        String name = key.substring(PENDING_SNAPSHOTS.length());
        return Names.isValid(name) ? Optional.of(name) : Optional.empty();
    }

    /** {@code snapshots/<name>/.exports/}: the snapshot's cached exports. */
    public static String snapshotExportsPrefix(String snapshot) {
        return snapshotPrefix(snapshot) + EXPORTS;
    }

    /** {@code snapshots/<name>/.exports/<fingerprint>.<pcap|pcapng>}. */
    public static String snapshotExportKey(String snapshot, String fingerprint, String extension) {
        if (!fingerprint.matches("[0-9a-f]{8,64}") || !extension.matches("pcap|pcapng")) {
            throw new IllegalArgumentException("bad export key part");
        }
        return snapshotExportsPrefix(snapshot) + fingerprint + "." + extension;
    }

    /** Every dissection's status ({@code snapshotOrNull} null), or those of one snapshot. */
    public static String dissectionsPrefix(String snapshotOrNull) {
        return snapshotOrNull == null ? DISSECTIONS : DISSECTIONS + Names.require("snapshot", snapshotOrNull) + "/";
    }

    public static String dissectionPrefix(String snapshot, String dissection) {
        return DISSECTIONS + Names.require("snapshot", snapshot) + "/" + Names.require("dissection", dissection) + "/";
    }

    public static String dissectionStatusKey(String snapshot, String dissection) {
        return dissectionPrefix(snapshot, dissection) + "status.json";
    }

    /** Parses {@code dissections/<snapshot>/<name>/status.json}; empty for anything else. */
    public static Optional<DissectionKey> parseDissectionStatusKey(String key) {
        Matcher m = DISSECTION_STATUS.matcher(key);
        if (!m.matches() || !Names.isValid(m.group(1)) || !Names.isValid(m.group(2))) return Optional.empty();
        return Optional.of(new DissectionKey(m.group(1), m.group(2)));
    }

    /** The ClickHouse dataset of a snapshot's dissection: {@code <snapshot>/<dissection>}. */
    public static String dataset(String snapshot, String dissection) {
        return Names.require("snapshot", snapshot) + "/" + Names.require("dissection", dissection);
    }

    public record DissectionKey(String snapshot, String name) {}

    /**
     * {@code audit/<day>/<time>-<writer>-<sequence>.jsonl}: one batch of audit records, written at
     * {@code at} by one process; keys sort by the time they were written.
     */
    public static String auditKey(java.time.Instant at, String writer, long sequence) {
        return AUDIT + AUDIT_TIME.format(at) + "-" + Names.require("audit writer", writer) + "-" + String.format("%012d", sequence) + ".jsonl";
    }

    /** The key a listing of the audit objects written at or after {@code since} starts after. */
    public static String auditListStart(java.time.Instant since) {
        return AUDIT + AUDIT_TIME.format(since.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    }

    /** A parsed chunk key. Times are nanoseconds since the epoch, end inclusive of the last packet. */
    public record ChunkKey(String node, long startNanos, long endNanos, String key) {
        public String fileName() {
            return key.substring(key.lastIndexOf('/') + 1);
        }

        public boolean overlaps(long fromNanos, long toNanos) {
            return startNanos <= toNanos && endNanos >= fromNanos;
        }
    }
}
