package dev.trawl.dissector;

import dev.trawl.core.pcap.PcapReader;
import dev.trawl.core.pcap.PcapWriter;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.snapshot.SnapshotManifest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds a snapshot in S3 out of real captures "replayed" as a node: each capture becomes one
 * chunk with its packets unchanged and its times moved into a fresh window, copy after copy, so a
 * test gets as many distinct chunks (distinct times, hence distinct entry ids) as it needs.
 */
final class ReplayedSnapshot {
    private final S3Client s3;
    private final String bucket;
    private final String snapshot;
    private final List<SnapshotManifest.SnapshotObject> objects = new ArrayList<>();
    private final java.util.Map<String, List<byte[]>> contentByNode = new java.util.TreeMap<>();
    static final long GAP_NANOS = 10 * 60 * 1_000_000_000L;
    private long clockNanos;
    long bytes;

    ReplayedSnapshot(S3Client s3, String bucket, String snapshot, Instant start) {
        this.s3 = s3;
        this.bucket = bucket;
        this.snapshot = snapshot;
        this.clockNanos = start.getEpochSecond() * 1_000_000_000L + start.getNano();
    }

    /**
     * Appends {@code pcap} to {@code node} as one chunk, starting {@link #GAP_NANOS} after the
     * previous one: a replay repeats the same addresses, ports and sequence numbers, and the gap
     * lets the engine's idle timeouts close the earlier copy's connections first, as a real
     * capture never reuses them that way.
     */
    ReplayedSnapshot add(String node, Path pcap) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long first = -1, last = 0, start = clockNanos + GAP_NANOS;
        long packets = 0;
        try (PcapReader in = PcapReader.open(pcap)) {
            PcapWriter w = null;
            while (true) {
                try {
                    if (!in.next()) break;
                } catch (dev.trawl.core.pcap.PcapFormatException damaged) {
                    continue;
                }
                if (w == null) w = new PcapWriter(out, in.linkType(), true, 262144);
                if (first < 0) first = in.timestampNanos();
                long ts = start + Math.max(0, in.timestampNanos() - first);
                last = Math.max(last, ts);
                w.write(ts, in.data(), in.originalLength());
                packets++;
            }
            if (w == null) return this;
            w.close();
        }
        clockNanos = last;
        return put(node, start, last, out.toByteArray(), packets);
    }

    /**
     * Appends {@code pcap} to {@code node} as consecutive chunks of at most {@code chunkBytes},
     * times moved as by {@link #add(String, Path)} but the capture cut where a capture daemon
     * would rotate, so connections cross the chunk boundaries.
     */
    ReplayedSnapshot addCut(String node, Path pcap, long chunkBytes) throws IOException {
        long start = clockNanos + GAP_NANOS, first = -1;
        try (PcapReader in = PcapReader.open(pcap)) {
            ByteArrayOutputStream out = null;
            PcapWriter w = null;
            long chunkFirst = 0, last = 0, packets = 0;
            while (true) {
                try {
                    if (!in.next()) break;
                } catch (dev.trawl.core.pcap.PcapFormatException damaged) {
                    continue;
                }
                if (first < 0) first = in.timestampNanos();
                long ts = start + Math.max(0, in.timestampNanos() - first);
                if (w == null || out.size() >= chunkBytes) {
                    if (w != null) {
                        w.close();
                        put(node, chunkFirst, last, out.toByteArray(), packets);
                    }
                    out = new ByteArrayOutputStream();
                    w = new PcapWriter(out, in.linkType(), true, 262144);
                    chunkFirst = Math.max(ts, last + 1);
                    packets = 0;
                }
                last = Math.max(last, ts);
                w.write(ts, in.data(), in.originalLength());
                packets++;
            }
            if (w != null) {
                w.close();
                put(node, chunkFirst, last, out.toByteArray(), packets);
                clockNanos = last;
            }
        }
        return this;
    }

    /** Appends {@code pcap} {@code times} times, each copy a chunk of its own time range (so entries of its own). */
    ReplayedSnapshot add(String node, Path pcap, int times) throws IOException {
        for (int i = 0; i < times; i++) add(node, pcap);
        return this;
    }

    /** Appends raw bytes as a chunk as they are (e.g. a damaged capture). */
    ReplayedSnapshot addRaw(String node, byte[] content) {
        long start = clockNanos + 1_000_000, end = start + 1_000_000;
        clockNanos = end;
        return put(node, start, end, content, 0);
    }

    private ReplayedSnapshot put(String node, long start, long end, byte[] content, long packets) {
        var chunk = S3Layout.parseChunkKey(S3Layout.chunkKey(node, start, end)).orElseThrow();
        String key = S3Layout.snapshotChunkKey(snapshot, chunk);
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
        objects.add(new SnapshotManifest.SnapshotObject(node, key, chunk.key(), sha256(content), packets, content.length, start, end, null));
        contentByNode.computeIfAbsent(node, n -> new ArrayList<>()).add(content);
        bytes += content.length;
        return this;
    }

    /** Writes the copy of the last chunk's meta beside it, as snapshot assembly does, with this workload table. */
    ReplayedSnapshot withWorkloads(java.util.Map<String, dev.trawl.core.chunk.Workload> table) {
        SnapshotManifest.SnapshotObject last = objects.getLast();
        var meta = new dev.trawl.core.chunk.ChunkMeta(last.node(), last.sourceKey(), last.packetCount(), last.sizeBytes(), last.startNanos(),
                last.endNanos(), 1, 262144, last.sha256(), "test-session", List.of("eth0"), dev.trawl.core.chunk.ChunkMeta.REPLAY, 0, table);
        s3.putObject(b -> b.bucket(bucket).key(S3Layout.chunkMetaKey(last.key())), RequestBody.fromBytes(meta.toJson()));
        return this;
    }

    /** Writes the manifest (status completed) over everything added. */
    ReplayedSnapshot complete() {
        long startMs = objects.stream().mapToLong(SnapshotManifest.SnapshotObject::startNanos).min().orElse(0) / 1_000_000;
        long endMs = objects.stream().mapToLong(SnapshotManifest.SnapshotObject::endNanos).max().orElse(0) / 1_000_000 + 1;
        return complete(new SnapshotManifest.Window(startMs, endMs));
    }

    /** Writes the manifest (status completed) with a window of its own, which may cut the chunks. */
    ReplayedSnapshot complete(SnapshotManifest.Window window) {
        var manifest = SnapshotManifest.requested(snapshot, Instant.now().toString(), "1h", window, List.of())
                .withObjects(objects, window, null).completed(Instant.now().toString());
        s3.putObject(b -> b.bucket(bucket).key(S3Layout.snapshotManifestKey(snapshot)), RequestBody.fromBytes(manifest.toJson()));
        return this;
    }

    /**
     * What the engine alone makes of the same chunks (read from memory, not S3): the reference a
     * dissection of this snapshot must match.
     */
    java.util.Map<String, dev.trawl.engine.DissectionStats> engineAlone(dev.trawl.engine.DissectionEngine engine) throws IOException {
        var out = new java.util.TreeMap<String, dev.trawl.engine.DissectionStats>();
        for (String node : contentByNode.keySet()) out.put(node, engine.dissect(node, sources(node), entry -> {}));
        return out;
    }

    /** One node's chunks as the engine's sources, from memory. */
    List<dev.trawl.engine.PcapSource> sources(String node) {
        List<dev.trawl.engine.PcapSource> sources = new ArrayList<>();
        int i = 0;
        for (byte[] c : contentByNode.get(node)) {
            sources.add(dev.trawl.engine.PcapSource.stream(node + "-" + i++, c.length, () -> new java.io.ByteArrayInputStream(c)));
        }
        return sources;
    }

    List<SnapshotManifest.SnapshotObject> objects() {
        return objects;
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
