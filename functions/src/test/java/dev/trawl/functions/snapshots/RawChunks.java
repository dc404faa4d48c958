package dev.trawl.functions.snapshots;

import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.chunk.Heartbeat;
import dev.trawl.core.pcap.PcapReader;
import dev.trawl.core.pcap.PcapWriter;
import dev.trawl.core.s3.S3Layout;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongUnaryOperator;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Writes what the capture daemon writes, from a real capture: {@code raw/<node>/} chunks (the
 * capture's packets, re-timed to a chosen moment, split into chunks), their {@code .meta.json},
 * and the node's heartbeat. The chunk files also stay on disk, for the reference tools.
 */
public final class RawChunks {
    private RawChunks() {}

    public static Path sharedDir() {
        String env = System.getenv("TRAWL_SHARED_DIR");
        Path dir = env != null ? Path.of(env) : Path.of("..", "shared");
        if (!Files.isDirectory(dir.resolve("pcaps"))) dir = Path.of("..", "..", "shared");
        return dir;
    }

    public static Path capture(String relative) {
        return sharedDir().resolve("pcaps").resolve(relative);
    }

    /** One written chunk: its key, local copy and meta. */
    public record Written(String key, Path file, ChunkMeta meta) {}

    /**
     * Replays {@code capture} as {@code node}: packet i gets timestamp {@code retime(original)};
     * split into {@code chunks} chunks of about equal packet counts.
     */
    public static List<Written> write(S3Client s3, String bucket, Path workDir, String node, Path capture, int chunks,
            LongUnaryOperator retime) throws IOException {
        List<long[]> times = new ArrayList<>();
        List<byte[]> packets = new ArrayList<>();
        List<Integer> origLens = new ArrayList<>();
        int linkType;
        try (PcapReader r = PcapReader.open(capture)) {
            int lt = -1;
            while (r.next()) {
                lt = r.linkType();
                times.add(new long[] {retime.applyAsLong(r.timestampNanos())});
                packets.add(r.copyData());
                origLens.add(r.originalLength());
            }
            linkType = lt;
        }
        List<Written> written = new ArrayList<>();
        int per = (packets.size() + chunks - 1) / chunks;
        for (int c = 0; c * per < packets.size(); c++) {
            int from = c * per;
            int to = Math.min(packets.size(), from + per);
            long first = times.get(from)[0];
            long last = times.get(to - 1)[0];
            for (int i = from; i < to; i++) last = Math.max(last, times.get(i)[0]);
            String key = S3Layout.chunkKey(node, first, last);
            Path file = workDir.resolve(node + "-" + c + ".pcap");
            Files.createDirectories(workDir);
            try (OutputStream out = Files.newOutputStream(file); PcapWriter w = new PcapWriter(out, linkType, false)) {
                for (int i = from; i < to; i++) {
                    w.write(times.get(i)[0], java.nio.ByteBuffer.wrap(packets.get(i)), origLens.get(i));
                }
            }
            byte[] bytes = Files.readAllBytes(file);
            var meta = new ChunkMeta(node, key, to - from, bytes.length, first, last, linkType, 262_144, sha256(bytes),
                    "session-" + node, List.of(capture.getFileName().toString()), ChunkMeta.REPLAY, 0, null);
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
            s3.putObject(b -> b.bucket(bucket).key(meta.metaKey()), RequestBody.fromBytes(meta.toJson()));
            written.add(new Written(key, file, meta));
        }
        return written;
    }

    /** Shifts a capture so that its first packet is at {@code firstNanos} (whole µs, as a capture has). */
    public static LongUnaryOperator startingAt(Path capture, long firstNanos) throws IOException {
        long original;
        try (PcapReader r = PcapReader.open(capture)) {
            r.next();
            original = r.timestampNanos();
        }
        long shift = (firstNanos - original) / 1000 * 1000;
        return ts -> ts + shift;
    }

    /** Spaces packets evenly from {@code firstNanos} (for a capture whose own clock is useless). */
    public static LongUnaryOperator evenlyFrom(long firstNanos, long stepNanos) {
        long[] i = {0};
        return ts -> firstNanos + stepNanos * i[0]++;
    }

    public static void heartbeat(S3Client s3, String bucket, String node, boolean enabled, long lastSeenMillis) {
        var hb = new Heartbeat(node, enabled, "session-" + node, "replay", lastSeenMillis - 60_000, lastSeenMillis, 0, 0, 0, 0, 0, 0, 0,
                0, List.of(), null);
        s3.putObject(b -> b.bucket(bucket).key(S3Layout.heartbeatKey(node)), RequestBody.fromBytes(hb.toJson()));
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
