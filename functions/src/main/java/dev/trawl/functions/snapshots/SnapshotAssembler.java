package dev.trawl.functions.snapshots;

import dev.trawl.core.ApiDurations;
import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.chunk.Heartbeat;
import dev.trawl.core.chunk.RawRange;
import dev.trawl.core.pcap.PcapFormatException;
import dev.trawl.core.pcap.PcapReader;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Layout.ChunkKey;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotManifest.SkippedChunk;
import dev.trawl.core.snapshot.SnapshotManifest.SnapshotObject;
import dev.trawl.core.snapshot.SnapshotManifest.Window;
import dev.trawl.core.snapshot.SnapshotStatus;
import dev.trawl.core.snapshot.SnapshotStore;
import dev.trawl.functions.capture.CaptureStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
 * <p>The one exception to "no bytes through the function": each raw chunk is read once, streamed
 * in bounded memory, before it is copied. The read checks it (a pcap or pcapng whose records all
 * parse, with the sha256 its meta records) and counts the packets inside the window, so the
 * details' count is what the export will hold. A chunk that fails the check (bad magic,
 * truncated, another sha256) is not copied: it is listed in the manifest's
 * {@code skipped_chunks} with its key and the reason, and the rest of the snapshot completes.
 */
public final class SnapshotAssembler {
    private static final Logger log = LoggerFactory.getLogger(SnapshotAssembler.class);

    private final S3Client s3;
    private final String bucket;
    private final SnapshotStore store;
    private final CaptureStatus capture;
    private final Duration grace;
    private final int maxAssemblies;

    /** {@code maxAssemblies}: how many snapshots may be in progress at once; the others wait, pending. */
    public SnapshotAssembler(S3Client s3, String bucket, SnapshotStore store, CaptureStatus capture, Duration grace, int maxAssemblies) {
        this.s3 = s3;
        this.bucket = bucket;
        this.store = store;
        this.capture = capture;
        this.grace = grace;
        this.maxAssemblies = maxAssemblies;
    }

    /**
     * Whether a new snapshot may start assembling at once: fewer than the maximum are in progress
     * and none waits before it.
     */
    public boolean hasFreeSlot() {
        return turnOf(null);
    }

    /**
     * Whether {@code waiting} (null: a snapshot not yet requested) is among the pending snapshots
     * that the free slots admit, oldest first. Concurrent replicas may both admit one into the last
     * slot; the limit bounds the work, it is not a lock.
     */
    private boolean turnOf(SnapshotManifest waiting) {
        List<SnapshotManifest> unfinished = new ArrayList<>();
        for (String name : store.pending()) store.read(name).ifPresent(r -> unfinished.add(r.manifest()));
        long running = unfinished.stream().filter(m -> m.status() == SnapshotStatus.IN_PROGRESS).count();
        List<SnapshotManifest> queue = unfinished.stream().filter(m -> m.status() == SnapshotStatus.PENDING)
                .sorted(Comparator.comparing(SnapshotManifest::createdAt).thenComparing(SnapshotManifest::name)).toList();
        long free = maxAssemblies - running;
        if (waiting == null) return free > 0 && queue.isEmpty();
        for (int i = 0; i < Math.min(free, queue.size()); i++) {
            if (queue.get(i).name().equals(waiting.name())) return true;
        }
        return false;
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
            if (current.status() == SnapshotStatus.PENDING) {
                if (!turnOf(current)) return SnapshotStatus.PENDING;
                if (!store.replace(current.withStatus(SnapshotStatus.IN_PROGRESS), read.get().etag())) continue;
                log.info("snapshot {}: its turn to be assembled", name);
                continue;
            }
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
                if (next.status() != SnapshotStatus.IN_PROGRESS) {
                    store.unmarkPending(name);
                    startNextInLine();
                }
                return next.status();
            }
            // someone else moved it on meanwhile: read again and continue from theirs
        }
        return SnapshotStatus.IN_PROGRESS;
    }

    /** A slot came free: the oldest pending snapshot starts (its own events may have come and gone). */
    private void startNextInLine() {
        for (String name : store.pending()) {
            var read = store.read(name);
            if (read.isPresent() && read.get().manifest().status() == SnapshotStatus.PENDING && turnOf(read.get().manifest())) {
                assemble(name);
                return;
            }
        }
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
        Map<String, RawRange> ranges = new HashMap<>();
        for (RawRange r : capture.ranges(nodes)) ranges.put(r.node(), r);
        List<String> waitingFor = new ArrayList<>();
        for (Heartbeat h : capture.activeNodes()) {
            if (!m.includesNode(h.node())) continue;
            RawRange r = ranges.get(h.node());
            long uploadedThrough = Math.max(r == null ? 0 : r.newestNanos(), h.uploadedThroughMillis() * 1_000_000L);
            if (uploadedThrough < to) waitingFor.add(h.node());
        }

        Set<String> present = store.objectKeys(m.name());
        Map<String, SnapshotObject> done = m.objects().stream().collect(Collectors.toMap(SnapshotObject::sourceKey, o -> o, (a, b) -> a));
        Map<String, SkippedChunk> skippedBefore = m.skippedChunks().stream()
                .collect(Collectors.toMap(SkippedChunk::sourceKey, c -> c, (a, b) -> a));
        List<SnapshotObject> objects = new ArrayList<>();
        List<SkippedChunk> skipped = new ArrayList<>();
        boolean metaMissing = false;
        for (String node : nodes) {
            for (ChunkKey chunk : capture.index().chunks(node, from, to)) {
                SnapshotObject already = done.remove(chunk.key());
                if (already != null && present.contains(already.key())) {
                    objects.add(already);
                    continue;
                }
                if (skippedBefore.containsKey(chunk.key())) {
                    skipped.add(skippedBefore.get(chunk.key()));
                    continue;
                }
                var meta = capture.index().meta(chunk);
                if (meta.isEmpty()) {
                    // the daemon writes the meta beside the chunk before announcing it: this one is still arriving
                    metaMissing = true;
                    continue;
                }
                Reading reading = read(chunk.key(), meta.get(), from, to);
                if (reading.damage() != null) {
                    log.warn("snapshot {}: chunk {} is left out: {}", m.name(), chunk.key(), reading.damage());
                    skipped.add(new SkippedChunk(node, chunk.key(), reading.damage()));
                    continue;
                }
                objects.add(copy(m.name(), chunk, meta.get(), present, reading));
            }
        }
        // copies whose raw chunk is gone meanwhile (retention) are still the snapshot's evidence
        for (SnapshotObject kept : done.values()) {
            if (present.contains(kept.key())) objects.add(kept);
        }
        objects.sort(Comparator.comparingInt((SnapshotObject o) -> nodes.contains(o.node()) ? nodes.indexOf(o.node()) : nodes.size())
                .thenComparing(SnapshotObject::node).thenComparingLong(SnapshotObject::startNanos));

        m = m.withSkippedChunks(skipped);
        boolean complete = windowPassed && ((waitingFor.isEmpty() && !metaMissing) || graceOver);
        if (!complete) return m.withObjects(objects, m.window(), null);

        if (objects.isEmpty()) {
            return m.failed("no packets were captured in the window " + Instant.ofEpochMilli(requested.startMs()) + " – "
                    + Instant.ofEpochMilli(requested.endMs()) + (m.nodes().isEmpty() ? "" : " on nodes " + m.nodes())
                    + (skipped.isEmpty() ? "" : " that could be read (" + skipped.size() + " damaged chunks left out: see skipped_chunks)"), now());
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

    private SnapshotObject copy(String snapshot, ChunkKey chunk, ChunkMeta meta, Set<String> present, Reading reading) {
        String target = S3Layout.snapshotChunkKey(snapshot, chunk);
        if (!present.contains(target)) {
            // the meta first: a chunk copy present means its meta (the workload table the dissection names pods by) is too
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(S3Layout.chunkMetaKey(chunk.key())).destinationBucket(bucket)
                    .destinationKey(S3Layout.chunkMetaKey(target)));
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(chunk.key()).destinationBucket(bucket).destinationKey(target));
        }
        long first = meta.firstNanos() != 0 ? meta.firstNanos() : chunk.startNanos();
        long last = meta.lastNanos() != 0 ? meta.lastNanos() : chunk.endNanos();
        return new SnapshotObject(chunk.node(), target, chunk.key(), meta.sha256(), meta.packets(), meta.bytes(), first, last,
                meta.linkType(), reading.windowPackets(), reading.windowRecordBytes());
    }

    /** What reading a raw chunk once found: why it cannot be used (null when it can), and its packets inside the window. */
    private record Reading(String damage, long windowPackets, long windowRecordBytes) {
        static Reading damaged(String why) {
            return new Reading(why, 0, 0);
        }
    }

    /**
     * Reads the chunk at {@code key} once: every record must parse and the bytes must hash to
     * the meta's sha256; counts the packets inside the window and the bytes they take as
     * classic-pcap records.
     */
    private Reading read(String key, ChunkMeta meta, long from, long to) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long packets = 0;
        long bytes = 0;
        try (InputStream object = new DigestInputStream(s3.getObject(b -> b.bucket(bucket).key(key)), sha256);
                PcapReader reader = PcapReader.open(object, key)) {
            while (reader.next()) {
                long ts = reader.timestampNanos();
                if (ts >= from && ts <= to) {
                    packets++;
                    bytes += 16 + reader.capturedLength();
                }
            }
            object.transferTo(OutputStream.nullOutputStream()); // what the reader did not need still counts in the hash
        } catch (PcapFormatException damage) {
            return Reading.damaged(damage.getMessage()); // "BAD_MAGIC at byte 0: ...": the kind first
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (meta.sha256() != null && !meta.sha256().isBlank() && !actual.equalsIgnoreCase(meta.sha256())) {
            return Reading.damaged("SHA256_MISMATCH: the chunk hashes to " + actual + ", its meta records " + meta.sha256());
        }
        return new Reading(null, packets, bytes);
    }

    private String now() {
        return Instant.ofEpochMilli(capture.nowMs()).truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
