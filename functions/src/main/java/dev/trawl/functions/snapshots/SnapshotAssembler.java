package dev.trawl.functions.snapshots;

import dev.trawl.core.ApiDurations;
import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.chunk.Heartbeat;
import dev.trawl.core.pcap.PcapFormatException;
import dev.trawl.core.pcap.PcapReader;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Layout.ChunkKey;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotManifest.SnapshotObject;
import dev.trawl.core.snapshot.SnapshotManifest.Window;
import dev.trawl.core.snapshot.SnapshotStatus;
import dev.trawl.functions.capture.CaptureStatus;
import dev.trawl.functions.capture.ChunkIndex.NodeRange;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Brings an in-progress snapshot forward, driven by events ({@code snapshot.requested},
 * {@code pcap.uploaded}): copies the chunks overlapping its window server-side (CopyObject, so
 * packet bytes stay in S3), records each with its meta's sha256 and counts, and completes the
 * snapshot once the window has passed and every capturing node has uploaded past its end (or,
 * for a node that went quiet, once the grace period is over). Idempotent: running it again
 * copies only what is missing, so redelivered or concurrent events are harmless.
 *
 * <p>The one exception to "no bytes through the function": a chunk straddling the window's edge
 * is read once to count the packets inside the window, so the details' count is what the export
 * will hold.
 */
public final class SnapshotAssembler {
    private static final Logger log = LoggerFactory.getLogger(SnapshotAssembler.class);

    private final S3Client s3;
    private final String bucket;
    private final SnapshotStore store;
    private final CaptureStatus capture;
    private final Duration grace;

    public SnapshotAssembler(S3Client s3, String bucket, SnapshotStore store, CaptureStatus capture, Duration grace) {
        this.s3 = s3;
        this.bucket = bucket;
        this.store = store;
        this.capture = capture;
        this.grace = grace;
    }

    /** Advances the snapshot as far as the data allows; returns its status afterwards (or null when it does not exist). */
    public SnapshotStatus assemble(String name) {
        Set<String> copiedHere = new HashSet<>();
        for (int attempt = 0; attempt < 5; attempt++) {
            var read = store.read(name);
            if (read.isEmpty()) {
                // deleted meanwhile: copies this run made after the delete listed the snapshot would stay behind
                if (!copiedHere.isEmpty()) store.deleteKeys(name, copiedHere);
                store.unmarkPending(name);
                return null;
            }
            SnapshotManifest current = read.get().manifest();
            if (current.status() != SnapshotStatus.IN_PROGRESS) {
                store.unmarkPending(name);
                return current.status();
            }
            SnapshotManifest next;
            try {
                next = step(current);
            } catch (RuntimeException | IOException e) {
                // S3 briefly away is no verdict on the snapshot: leave it in progress and let the
                // event be delivered again (or the next event or GET run it)
                if (isTransient(e)) throw new AssemblyInterrupted(name, e);
                log.error("assembly of snapshot {} failed", name, e);
                next = current.failed("assembly failed: " + e.getMessage(), now());
            }
            Set<String> before = current.objects().stream().map(SnapshotObject::key).collect(Collectors.toSet());
            next.objects().stream().map(SnapshotObject::key).filter(k -> !before.contains(k)).forEach(k -> {
                copiedHere.add(k);
                copiedHere.add(S3Layout.chunkMetaKey(k));
            });
            if (next.equals(current)) return current.status();
            if (store.replace(next, read.get().etag())) {
                if (next.status() != SnapshotStatus.IN_PROGRESS) store.unmarkPending(name);
                return next.status();
            }
            // someone else moved it on meanwhile: read again and continue from theirs
        }
        return SnapshotStatus.IN_PROGRESS;
    }

    /** A run stopped by a transient storage failure; the snapshot is unchanged and still in progress. */
    public static final class AssemblyInterrupted extends RuntimeException {
        AssemblyInterrupted(String name, Exception cause) {
            super("assembly of snapshot '" + name + "' was interrupted, it stays in progress: " + cause.getMessage(), cause);
        }
    }

    /** Failures that say nothing about the snapshot: the connection, S3 throttling or a server error. */
    static boolean isTransient(Exception e) {
        if (e instanceof SdkClientException) return true;
        if (e instanceof S3Exception s3) return s3.statusCode() >= 500 || s3.statusCode() == 429;
        return e instanceof IOException && !(e instanceof PcapFormatException);
    }

    private SnapshotManifest step(SnapshotManifest m) throws IOException {
        Window requested = m.requestedWindow();
        long from = requested.startNanos();
        long to = requested.endNanos();
        long nowNanos = capture.nowNanos();

        List<String> nodes = m.nodes().isEmpty() ? capture.index().rawNodes() : m.nodes();
        boolean windowPassed = nowNanos > to;
        boolean graceOver = nowNanos > to + grace.toNanos();
        // what the nodes vouch for is read before their chunks are listed: a chunk they vouch for
        // was in S3 before this point (the daemon announces a chunk only after storing it), so the
        // listing below holds it. Read after the listing, it could vouch for a chunk that landed
        // in between and complete the snapshot without it.
        Map<String, NodeRange> ranges = new HashMap<>();
        for (NodeRange r : capture.ranges(nodes)) ranges.put(r.node(), r);
        List<String> waitingFor = new ArrayList<>();
        for (Heartbeat h : capture.activeNodes()) {
            if (!m.includesNode(h.node())) continue;
            NodeRange r = ranges.get(h.node());
            long uploadedThrough = Math.max(r == null ? 0 : r.newestNanos(), h.uploadedThroughMillis() * 1_000_000L);
            if (uploadedThrough < to) waitingFor.add(h.node());
        }

        Set<String> present = store.objectKeys(m.name());
        Map<String, SnapshotObject> done = m.objects().stream().collect(Collectors.toMap(SnapshotObject::sourceKey, o -> o, (a, b) -> a));
        List<SnapshotObject> objects = new ArrayList<>();
        boolean metaMissing = false;
        for (String node : nodes) {
            for (ChunkKey chunk : capture.index().chunks(node, from, to)) {
                SnapshotObject already = done.remove(chunk.key());
                if (already != null && present.contains(already.key())) {
                    objects.add(already);
                    continue;
                }
                var meta = capture.index().meta(chunk);
                if (meta.isEmpty()) {
                    // the daemon writes the meta beside the chunk before announcing it: this one is still arriving
                    metaMissing = true;
                    continue;
                }
                objects.add(copy(m.name(), chunk, meta.get(), present, from, to));
            }
        }
        // copies whose raw chunk is gone meanwhile (retention) are still the snapshot's evidence
        for (SnapshotObject kept : done.values()) {
            if (present.contains(kept.key())) objects.add(kept);
        }
        objects.sort(Comparator.comparingInt((SnapshotObject o) -> nodes.contains(o.node()) ? nodes.indexOf(o.node()) : nodes.size())
                .thenComparing(SnapshotObject::node).thenComparingLong(SnapshotObject::startNanos));

        boolean complete = windowPassed && ((waitingFor.isEmpty() && !metaMissing) || graceOver);
        if (!complete) return m.withObjects(objects, m.window(), null);

        if (objects.isEmpty()) {
            return m.failed("no packets were captured in the window " + Instant.ofEpochMilli(requested.startMs()) + " – "
                    + Instant.ofEpochMilli(requested.endMs()) + (m.nodes().isEmpty() ? "" : " on nodes " + m.nodes()), now());
        }
        long oldest = objects.stream().mapToLong(SnapshotObject::startNanos).min().orElseThrow();
        long newest = objects.stream().mapToLong(SnapshotObject::endNanos).max().orElseThrow();
        long start = Math.max(requested.startMs(), Math.floorDiv(oldest, 1_000_000L));
        long end = Math.min(requested.endMs(), Math.floorDiv(newest, 1_000_000L));
        Window window = new Window(start, Math.max(start, end));
        String clipping = null;
        if (start > requested.startMs() || end < requested.endMs()) {
            clipping = "requested " + Instant.ofEpochMilli(requested.startMs()) + " – " + Instant.ofEpochMilli(requested.endMs())
                    + ", data exists only for " + Instant.ofEpochMilli(window.startMs()) + " – " + Instant.ofEpochMilli(window.endMs())
                    + ": the snapshot holds that part";
            if (!waitingFor.isEmpty()) clipping += " (nodes " + waitingFor + " uploaded nothing past the window's end within " + ApiDurations.format(grace.toMillis()) + ")";
        }
        return m.withObjects(objects, window, clipping).completed(now());
    }

    private SnapshotObject copy(String snapshot, ChunkKey chunk, ChunkMeta meta, Set<String> present, long from, long to)
            throws IOException {
        String target = S3Layout.snapshotChunkKey(snapshot, chunk);
        if (!present.contains(target)) {
            // the meta first: a chunk copy present means its meta (the workload table the dissection names pods by) is too
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(S3Layout.chunkMetaKey(chunk.key())).destinationBucket(bucket)
                    .destinationKey(S3Layout.chunkMetaKey(target)));
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(chunk.key()).destinationBucket(bucket).destinationKey(target));
        }
        long first = meta.firstNanos() != 0 ? meta.firstNanos() : chunk.startNanos();
        long last = meta.lastNanos() != 0 ? meta.lastNanos() : chunk.endNanos();
        long windowPackets;
        long windowBytes;
        if (first >= from && last <= to && isClassicPcap(target)) {
            windowPackets = meta.packets();
            windowBytes = meta.bytes() - 24;
        } else {
            long[] counted = countInWindow(target, from, to);
            windowPackets = counted[0];
            windowBytes = counted[1];
        }
        return new SnapshotObject(chunk.node(), target, chunk.key(), meta.sha256(), meta.packets(), meta.bytes(), first, last,
                meta.linkType(), windowPackets, windowBytes);
    }

    /** Whether the object is classic pcap with 16-byte record headers, so its size gives its records' size. */
    private boolean isClassicPcap(String key) {
        byte[] head = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range("bytes=0-3")).asByteArray();
        if (head.length < 4) return false;
        int be = ((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
        int le = Integer.reverseBytes(be);
        return be == 0xa1b2c3d4 || be == 0xa1b23c4d || le == 0xa1b2c3d4 || le == 0xa1b23c4d;
    }

    /** Packets inside the window and the bytes they take as pcap records, read from the object. */
    private long[] countInWindow(String key, long from, long to) throws IOException {
        long packets = 0;
        long bytes = 0;
        try (PcapReader reader = PcapReader.open(s3.getObject(b -> b.bucket(bucket).key(key)), key)) {
            while (true) {
                try {
                    if (!reader.next()) break;
                } catch (PcapFormatException damaged) {
                    continue;
                }
                long ts = reader.timestampNanos();
                if (ts >= from && ts <= to) {
                    packets++;
                    bytes += 16 + reader.capturedLength();
                }
            }
        }
        return new long[] {packets, bytes};
    }

    private String now() {
        return Instant.ofEpochMilli(capture.nowMs()).truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
