package dev.trawl.core.s3;

import dev.trawl.core.Names;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bucket's key layout (DESIGN.md, "S3 layout"). Every key trawl reads or writes is built
 * here, from validated names only.
 */
public final class S3Layout {
    public static final String RAW = "raw/";
    public static final String NODES = "nodes/";
    public static final String SNAPSHOTS = "snapshots/";
    public static final String DISSECTIONS = "dissections/";
    public static final String AUDIT = "audit/";
    private static final java.time.format.DateTimeFormatter AUDIT_TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'/'yyyyMMdd'T'HHmmss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private static final Pattern CHUNK = Pattern.compile("raw/(" + Names.RULE + ")/(\\d{1,19})-(\\d{1,19})\\.pcap");

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

    public static String chunkMetaKey(String chunkKey) {
        if (!chunkKey.endsWith(".pcap")) throw new IllegalArgumentException("not a chunk key: " + chunkKey);
        return chunkKey.substring(0, chunkKey.length() - ".pcap".length()) + ".meta.json";
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

    public static String heartbeatKey(String node) {
        return NODES + Names.require("node", node) + "/heartbeat.json";
    }

    public static String snapshotPrefix(String snapshot) {
        return SNAPSHOTS + Names.require("snapshot", snapshot) + "/";
    }

    public static String snapshotManifestKey(String snapshot) {
        return snapshotPrefix(snapshot) + "manifest.json";
    }

    /** Where a raw chunk's copy lives inside a snapshot: {@code snapshots/<name>/<node>/<file>}. */
    public static String snapshotChunkKey(String snapshot, ChunkKey chunk) {
        return snapshotPrefix(snapshot) + chunk.node() + "/" + chunk.fileName();
    }

    public static String dissectionPrefix(String snapshot, String dissection) {
        return DISSECTIONS + Names.require("snapshot", snapshot) + "/" + Names.require("dissection", dissection) + "/";
    }

    public static String dissectionStatusKey(String snapshot, String dissection) {
        return dissectionPrefix(snapshot, dissection) + "status.json";
    }

    /** The ClickHouse dataset of a snapshot's dissection: {@code <snapshot>/<dissection>}. */
    public static String dataset(String snapshot, String dissection) {
        return Names.require("snapshot", snapshot) + "/" + Names.require("dissection", dissection);
    }

    public static final String REALTIME_DATASET = "realtime";

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
