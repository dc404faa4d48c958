package dev.trawl.functions.snapshots;

import dev.trawl.core.ApiDurations;
import dev.trawl.core.Names;
import dev.trawl.core.chunk.RawRange;
import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.events.TrawlEvents;
import dev.trawl.core.s3.NameTakenException;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotManifest.SnapshotObject;
import dev.trawl.core.snapshot.SnapshotManifest.Window;
import dev.trawl.core.snapshot.SnapshotStatus;
import dev.trawl.core.snapshot.SnapshotStore;
import dev.trawl.functions.capture.CaptureStatus;
import dev.trawl.functions.events.Events;
import dev.trawl.functions.web.ApiException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The snapshot endpoints' logic as plain functions of their input: create, list, details,
 * delete. State is S3 only; the POST records the request and returns, assembly runs on events.
 */
public final class SnapshotService {
    private final SnapshotStore store;
    private final SnapshotAssembler assembler;
    private final CaptureStatus capture;
    private final DissectionStatusStore dissections;
    private final Events events;
    private final Duration retention;
    private final Duration maxDuration;

    /** {@code maxDuration}: the longest window a snapshot may have ({@code TRAWL_SNAPSHOT_MAX_DURATION}). */
    public SnapshotService(SnapshotStore store, SnapshotAssembler assembler, CaptureStatus capture, DissectionStatusStore dissections,
            Events events, Duration retention, Duration maxDuration) {
        this.store = store;
        this.assembler = assembler;
        this.capture = capture;
        this.dissections = dissections;
        this.events = events;
        this.retention = retention;
        this.maxDuration = maxDuration;
    }

    /** {@code POST /mcp/snapshots}: {@code {name, duration}} or {@code {name, start_ts, end_ts}}, optional {@code nodes}. */
    public SnapshotAnswers.Created create(Map<String, Object> body) {
        if (body == null) throw new ApiException.BadRequest("request body is missing: send {\"name\":\"...\",\"duration\":\"30m\"}");
        String name = Names.require("snapshot", text(body, "name"));
        List<String> nodes = nodes(body.get("nodes"));
        long now = capture.nowMs();
        Object durationValue = body.get("duration");
        boolean explicit = body.containsKey("start_ts") || body.containsKey("end_ts");
        Window window;
        String duration;
        if (durationValue != null && explicit) {
            throw new ApiException.BadRequest("give either duration or start_ts/end_ts, not both");
        } else if (durationValue != null) {
            if (!(durationValue instanceof String s)) throw new ApiException.BadRequest("duration must be a string such as \"30m\" or \"1h\"");
            Duration d;
            try {
                d = ApiDurations.parse(s);
            } catch (IllegalArgumentException e) {
                throw new ApiException.BadRequest(e.getMessage());
            }
            if (d.compareTo(retention) > 0) {
                throw new ApiException.BadRequest("duration '" + s + "' is longer than the raw data retention ("
                        + ApiDurations.format(retention.toMillis()) + "): no data that old is kept");
            }
            requireAtMostMaxDuration(d.toMillis());
            window = new Window(now - d.toMillis(), now);
            duration = s;
        } else if (explicit) {
            long start = millis(body, "start_ts");
            long end = millis(body, "end_ts");
            if (end <= start) throw new ApiException.BadRequest("end_ts " + end + " must be after start_ts " + start);
            if (end - start > retention.toMillis()) {
                throw new ApiException.BadRequest("the window (" + ApiDurations.format(end - start) + ") is longer than the raw data retention ("
                        + ApiDurations.format(retention.toMillis()) + ")");
            }
            requireAtMostMaxDuration(end - start);
            window = new Window(start, end);
            duration = ApiDurations.format(end - start);
        } else {
            throw new ApiException.BadRequest("give duration (e.g. \"30m\") or start_ts and end_ts (ms since the epoch)");
        }
        if (store.exists(name)) throw new ApiException.Conflict("snapshot '" + name + "' already exists");
        requireData(window, nodes, now);

        var manifest = SnapshotManifest.requested(name, Instant.ofEpochMilli(now).truncatedTo(ChronoUnit.SECONDS).toString(),
                duration, window, nodes);
        if (!assembler.hasFreeSlot()) manifest = manifest.withStatus(SnapshotStatus.PENDING);
        try {
            store.create(manifest);
        } catch (NameTakenException e) {
            throw new ApiException.Conflict(e.getMessage());
        }
        store.markPending(name);
        try {
            events.send(TrawlEvents.SNAPSHOT_REQUESTED, name, Map.of("name", name));
        } catch (IOException e) {
            // without the event nothing would ever assemble it: take the request back so a retry can succeed
            store.deleteAll(name);
            throw new ApiException.Internal("could not request assembly of snapshot '" + name + "' (" + e.getMessage()
                    + "); nothing was kept, try again", e);
        }
        return new SnapshotAnswers.Created(true, name, manifest.status().wire());
    }

    private void requireAtMostMaxDuration(long windowMs) {
        if (windowMs > maxDuration.toMillis()) {
            throw new ApiException.BadRequest("the window (" + ApiDurations.format(windowMs) + ") is longer than a snapshot may be ("
                    + ApiDurations.format(maxDuration.toMillis()) + ", TRAWL_SNAPSHOT_MAX_DURATION)");
        }
    }

    /** A window that has passed must hold some data; one reaching into the future needs a capture that will fill it. */
    private void requireData(Window window, List<String> nodes, long nowMs) {
        List<RawRange> ranges = capture.ranges(nodes);
        boolean overlaps = ranges.stream().anyMatch(r -> r.oldestNanos() <= window.endNanos() && r.newestNanos() >= window.startNanos());
        if (overlaps) return;
        String scope = nodes.isEmpty() ? "" : " on nodes " + nodes;
        if (window.endMs() > nowMs) {
            boolean capturing = capture.activeNodes().stream().anyMatch(h -> nodes.isEmpty() || nodes.contains(h.node()));
            if (capturing) return;
            throw new ApiException.BadRequest("the window ends in the future but raw capture is not enabled" + scope
                    + ", so nothing would fill it (GET /mcp/raw-capture)");
        }
        if (ranges.isEmpty()) throw new ApiException.BadRequest("no raw capture data exists" + scope + " (GET /mcp/raw-capture)");
        long oldest = ranges.stream().mapToLong(RawRange::oldestMs).min().orElseThrow();
        long newest = ranges.stream().mapToLong(RawRange::newestMs).max().orElseThrow();
        throw new ApiException.BadRequest("no data in the window " + window.startMs() + "–" + window.endMs() + " ("
                + Instant.ofEpochMilli(window.startMs()) + " – " + Instant.ofEpochMilli(window.endMs()) + ")" + scope
                + "; data is available from " + oldest + " to " + newest + " (" + Instant.ofEpochMilli(oldest) + " – "
                + Instant.ofEpochMilli(newest) + ")");
    }

    /** {@code GET /mcp/snapshots}. */
    public SnapshotAnswers.Listing list() {
        return new SnapshotAnswers.Listing(store.list().stream()
                .map(m -> new SnapshotAnswers.Summary(m.name(), m.status().wire(), m.sizeBytes(), m.createdAt(), m.duration()))
                .toList());
    }

    /** {@code GET /mcp/snapshots/:name}. An in-progress snapshot whose window has passed is moved on first. */
    public SnapshotAnswers.Details details(String name) {
        SnapshotManifest m = manifest(name);
        if (m.status().isUnfinished() && capture.nowMs() > m.requestedWindow().endMs()) {
            try {
                assembler.assemble(name);
            } catch (SnapshotAssembler.AssemblyInterrupted e) {
                // the details as they stand: still in progress, the next event or GET moves it on
            }
            m = manifest(name);
        }
        Map<String, SnapshotAnswers.NodeTotals> perNode = new TreeMap<>();
        for (SnapshotObject o : m.objects()) {
            perNode.merge(o.node(), new SnapshotAnswers.NodeTotals(o.node(), o.windowPacketCount(), o.sizeBytes(), 1),
                    (x, y) -> new SnapshotAnswers.NodeTotals(x.name(), x.packetCount() + y.packetCount(), x.sizeBytes() + y.sizeBytes(),
                            x.chunks() + y.chunks()));
        }
        boolean clipped = m.clipping() != null;
        return new SnapshotAnswers.Details(m.name(), m.status().wire(), m.sizeBytes(), m.createdAt(), m.duration(),
                m.window().startMs(), m.window().endMs(), m.nodeCount(), m.packetCount(), m.error(), clipped, m.clipping(),
                clipped ? m.requestedWindow().startMs() : null, clipped ? m.requestedWindow().endMs() : null,
                m.nodes(), m.completedAt(), List.copyOf(perNode.values()),
                m.skippedChunks().stream().map(c -> new SnapshotAnswers.Skipped(c.node(), c.sourceKey(), c.reason())).toList());
    }

    /** {@code DELETE /mcp/snapshots/:name}: every object; refused while a dissection of it runs. */
    public SnapshotAnswers.Deleted delete(String name) {
        Names.require("snapshot", name);
        if (!store.exists(name) && store.objectKeys(name).isEmpty()) throw notFound(name);
        List<String> running = dissections.list(name).stream()
                .filter(s -> !s.status().isTerminal())
                .map(DissectionStatus::name)
                .toList();
        if (!running.isEmpty()) {
            throw new ApiException.Conflict("snapshot '" + name + "' is being dissected (" + String.join(", ", running)
                    + "): stop or wait for the dissection before deleting it");
        }
        store.deleteAll(name);
        return new SnapshotAnswers.Deleted(true, name);
    }

    public SnapshotManifest manifest(String name) {
        Names.require("snapshot", name);
        return store.read(name).orElseThrow(() -> notFound(name)).manifest();
    }

    static ApiException notFound(String name) {
        return new ApiException.NotFound("snapshot '" + name + "' does not exist (GET /mcp/snapshots lists them)");
    }

    private static String text(Map<String, Object> body, String field) {
        Object v = body.get(field);
        if (v == null) throw new ApiException.BadRequest(field + " is missing");
        if (!(v instanceof String s)) throw new ApiException.BadRequest(field + " must be a string");
        return s;
    }

    private static long millis(Map<String, Object> body, String field) {
        Object v = body.get(field);
        if (v == null) throw new ApiException.BadRequest(field + " is missing (give both start_ts and end_ts, ms since the epoch)");
        if (v instanceof Integer || v instanceof Long) {
            long ms = ((Number) v).longValue();
            if (ms < 0) throw new ApiException.BadRequest(field + " must not be negative");
            return ms;
        }
        throw new ApiException.BadRequest(field + " must be an integer: milliseconds since the epoch");
    }

    private static List<String> nodes(Object value) {
        if (value == null) return List.of();
        if (!(value instanceof List<?> list)) throw new ApiException.BadRequest("nodes must be a list of node names");
        List<String> nodes = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s)) throw new ApiException.BadRequest("nodes must be a list of node names");
            if (!nodes.contains(Names.require("node", s))) nodes.add(s);
        }
        return nodes;
    }
}
