package dev.trawl.functions.capture;

import dev.trawl.core.chunk.Heartbeat;
import dev.trawl.core.chunk.HeartbeatStore;
import dev.trawl.core.chunk.RawRangeStore;
import dev.trawl.functions.capture.ChunkIndex.NodeRange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The answers of raw-capture and data-boundaries, and what snapshots ask about the capture. */
public final class CaptureStatus {
    private final ChunkIndex index;
    private final HeartbeatStore heartbeats;
    private final RawRangeStore rawRanges;
    private final Clock clock;
    private final Duration staleAfter;
    private final Duration retention;

    public CaptureStatus(ChunkIndex index, HeartbeatStore heartbeats, RawRangeStore rawRanges, Clock clock, Duration staleAfter,
            Duration retention) {
        this.index = index;
        this.heartbeats = heartbeats;
        this.rawRanges = rawRanges;
        this.clock = clock;
        this.staleAfter = staleAfter;
        this.retention = retention;
    }

    public ChunkIndex index() {
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
    public Map<String, Object> rawCapture() {
        long now = clock.millis();
        List<Map<String, Object>> nodes = new ArrayList<>();
        List<String> sessions = new ArrayList<>();
        boolean enabled = false;
        for (String node : heartbeats.nodes()) {
            Optional<Heartbeat> hb = heartbeats.read(node);
            if (hb.isEmpty()) continue;
            Heartbeat h = hb.get();
            boolean active = h.enabled() && now - h.lastSeenMillis() <= staleAfter.toMillis();
            enabled |= active;
            if (active && h.sessionId() != null) sessions.add(h.sessionId());
            var entry = new LinkedHashMap<String, Object>();
            entry.put("name", node);
            entry.put("enabled", active);
            entry.put("session_id", h.sessionId());
            entry.put("mode", h.mode());
            entry.put("last_seen_ts", h.lastSeenMillis());
            entry.put("packets", h.packets());
            entry.put("drops", h.drops());
            nodes.add(entry);
        }
        var answer = new LinkedHashMap<String, Object>();
        answer.put("enabled", enabled);
        answer.put("session_id", clusterSession(sessions));
        answer.put("nodes", nodes);
        return answer;
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
    public List<NodeRange> ranges(List<String> onlyNodes) {
        long now = nowNanos();
        long retained = now - retention.toNanos();
        List<NodeRange> ranges = new ArrayList<>();
        List<String> nodes = onlyNodes == null || onlyNodes.isEmpty() ? heartbeats.nodes() : onlyNodes;
        // nodes are independent listings: ask for them in parallel so latency does not grow with the node count
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = nodes.stream().map(n -> executor.submit(() -> {
                var hb = executor.submit(() -> heartbeats.read(n));
                Optional<NodeRange> r = rawRange(n, now);
                long lastUploaded = hb.get().map(Heartbeat::lastChunkKey).flatMap(dev.trawl.core.s3.S3Layout::parseChunkKey)
                        .map(dev.trawl.core.s3.S3Layout.ChunkKey::endNanos).orElse(Long.MIN_VALUE);
                return r.map(x -> new NodeRange(n, Math.max(x.oldestNanos(), Math.min(retained, x.newestNanos())),
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
    private Optional<NodeRange> rawRange(String node, long nowNanos) {
        var stored = rawRanges.read(node);
        if (stored.isPresent()) return Optional.of(new NodeRange(node, stored.get().oldestNanos(), stored.get().newestNanos()));
        Optional<NodeRange> listed = index.range(node, nowNanos);
        listed.ifPresent(r -> rawRanges.widen(node, r.oldestNanos(), r.newestNanos()));
        return listed;
    }

    public Map<String, Object> dataBoundaries() {
        List<NodeRange> ranges = ranges(null);
        var cluster = new LinkedHashMap<String, Object>();
        cluster.put("oldest_ts", ranges.stream().mapToLong(NodeRange::oldestMs).min().isPresent()
                ? ranges.stream().mapToLong(NodeRange::oldestMs).min().getAsLong() : null);
        cluster.put("newest_ts", ranges.stream().mapToLong(NodeRange::newestMs).max().isPresent()
                ? ranges.stream().mapToLong(NodeRange::newestMs).max().getAsLong() : null);
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (NodeRange r : ranges) {
            var n = new LinkedHashMap<String, Object>();
            n.put("name", r.node());
            n.put("oldest_ts", r.oldestMs());
            n.put("newest_ts", r.newestMs());
            nodes.add(n);
        }
        var answer = new LinkedHashMap<String, Object>();
        answer.put("cluster", cluster);
        answer.put("nodes", nodes);
        return answer;
    }
}
