package dev.trawl.functions.capture;

import dev.trawl.core.chunk.ChunkStore;
import dev.trawl.core.chunk.Heartbeat;
import dev.trawl.core.chunk.HeartbeatStore;
import dev.trawl.core.chunk.RawRange;
import dev.trawl.core.chunk.RawRangeStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** The answers of raw-capture and data-boundaries, and what snapshots ask about the capture. */
public final class CaptureStatus {
    private final ChunkStore index;
    private final HeartbeatStore heartbeats;
    private final RawRangeStore rawRanges;
    private final Clock clock;
    private final Duration staleAfter;
    private final Duration retention;

    public CaptureStatus(ChunkStore index, HeartbeatStore heartbeats, RawRangeStore rawRanges, Clock clock, Duration staleAfter,
            Duration retention) {
        this.index = index;
        this.heartbeats = heartbeats;
        this.rawRanges = rawRanges;
        this.clock = clock;
        this.staleAfter = staleAfter;
        this.retention = retention;
    }

    public ChunkStore index() {
        return index;
    }

    public long nowNanos() {
        var now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    public long nowMs() {
        return clock.millis();
    }

    /** Nodes capturing now: heartbeat says enabled and was written recently. */
    public List<Heartbeat> activeNodes() {
        List<Heartbeat> active = new ArrayList<>();
        long now = clock.millis();
        for (String node : heartbeats.nodes()) {
            heartbeats.read(node)
                    .filter(h -> h.enabled() && now - h.lastSeenMillis() <= staleAfter.toMillis())
                    .ifPresent(active::add);
        }
        return active;
    }

    /**
     * {@code {enabled, session_id}} as the seed shows, plus each node's state. The cluster's
     * session id is the nodes' one when they share it, else a digest of all of them: it changes
     * whenever any node's capture restarts, which is what a caller comparing ids wants to see.
     */
    public CaptureAnswers.RawCapture rawCapture() {
        long now = clock.millis();
        List<CaptureAnswers.NodeCapture> nodes = new ArrayList<>();
        List<String> sessions = new ArrayList<>();
        boolean enabled = false;
        for (String node : heartbeats.nodes()) {
            Optional<Heartbeat> hb = heartbeats.read(node);
            if (hb.isEmpty()) continue;
            Heartbeat h = hb.get();
            boolean active = h.enabled() && now - h.lastSeenMillis() <= staleAfter.toMillis();
            enabled |= active;
            if (active && h.sessionId() != null) sessions.add(h.sessionId());
            nodes.add(new CaptureAnswers.NodeCapture(node, active, h.sessionId(), h.mode(), h.lastSeenMillis(), h.packets(), h.drops()));
        }
        return new CaptureAnswers.RawCapture(enabled, clusterSession(sessions), nodes);
    }

    private static String clusterSession(List<String> sessions) {
        List<String> distinct = sessions.stream().distinct().sorted().toList();
        if (distinct.isEmpty()) return "";
        if (distinct.size() == 1) return distinct.getFirst();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(String.join("\n", distinct).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every node's range (or only those given): from each node's {@link RawRangeStore} entry, its
     * newest end raised to the heartbeat's last uploaded chunk (so a missed event cannot hide new
     * data) and its oldest start raised to the retention's edge (the bucket's lifecycle deletes
     * older chunks). Nodes are those with a folder under {@code nodes/}.
     */
    public List<RawRange> ranges(List<String> onlyNodes) {
        long now = nowNanos();
        long retained = now - retention.toNanos();
        List<RawRange> ranges = new ArrayList<>();
        List<String> nodes = onlyNodes == null || onlyNodes.isEmpty() ? heartbeats.nodes() : onlyNodes;
        // nodes are independent listings: ask for them in parallel so latency does not grow with the node count
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = nodes.stream().map(n -> executor.submit(() -> {
                var hb = executor.submit(() -> heartbeats.read(n));
                Optional<RawRange> r = rawRange(n, now);
                long lastUploaded = hb.get().map(Heartbeat::lastChunkKey).flatMap(dev.trawl.core.s3.S3Layout::parseChunkKey)
                        .map(dev.trawl.core.s3.S3Layout.ChunkKey::endNanos).orElse(Long.MIN_VALUE);
                return r.map(x -> new RawRange(n, Math.max(x.oldestNanos(), Math.min(retained, x.newestNanos())),
                        Math.max(x.newestNanos(), lastUploaded)));
            })).toList();
            for (var f : futures) {
                try {
                    f.get().ifPresent(ranges::add);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }
        return ranges;
    }

    /** The node's range: from its stored range, or rebuilt from a listing (and stored) when there is none. */
    private Optional<RawRange> rawRange(String node, long nowNanos) {
        var stored = rawRanges.read(node);
        if (stored.isPresent()) return stored;
        Optional<RawRange> listed = index.range(node, nowNanos);
        listed.ifPresent(r -> rawRanges.widen(node, r.oldestNanos(), r.newestNanos()));
        return listed;
    }

    public CaptureAnswers.DataBoundaries dataBoundaries() {
        List<RawRange> ranges = ranges(null);
        var oldest = ranges.stream().mapToLong(RawRange::oldestMs).min();
        var newest = ranges.stream().mapToLong(RawRange::newestMs).max();
        var cluster = new CaptureAnswers.Range(oldest.isPresent() ? oldest.getAsLong() : null, newest.isPresent() ? newest.getAsLong() : null);
        return new CaptureAnswers.DataBoundaries(cluster,
                ranges.stream().map(r -> new CaptureAnswers.NodeBoundaries(r.node(), r.oldestMs(), r.newestMs())).toList());
    }
}
