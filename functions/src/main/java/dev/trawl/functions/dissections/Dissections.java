package dev.trawl.functions.dissections;

import dev.trawl.core.Names;
import dev.trawl.core.clickhouse.CallsDatasets;
import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.events.EventSender;
import dev.trawl.core.events.TrawlEvents;
import dev.trawl.core.s3.NameTakenException;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotStore;
import dev.trawl.functions.web.ApiException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The delayed-dissection API (the seed "MCP Delayed Dissection"), as plain functions over
 * status.json in S3, the event sink, and ClickHouse. The job itself runs in batch-dissector;
 * the two meet only in status.json.
 */
public class Dissections {
    private static final Logger log = LoggerFactory.getLogger(Dissections.class);

    private final S3Client s3;
    private final String bucket;
    private final DissectionStatusStore store;
    private final EventSender events;
    private final LazyClickHouse clickHouse;
    private final Clock clock;
    private final Duration stopWait;
    private final Duration staleAfter;

    public Dissections(S3Client s3, String bucket, DissectionStatusStore store, EventSender events, LazyClickHouse clickHouse,
            Clock clock, Duration stopWait, Duration staleAfter) {
        this.s3 = s3;
        this.bucket = bucket;
        this.store = store;
        this.events = events;
        this.clickHouse = clickHouse;
        this.clock = clock;
        this.stopWait = stopWait;
        this.staleAfter = staleAfter;
    }

    /** POST /mcp/dissections: records the request, emits dissection.requested, answers at once. */
    public Map<String, Object> start(Map<String, Object> request) {
        String snapshot = Names.require("snapshot", text(request, "snapshot"));
        String name = Names.require("dissection", text(request, "name"));
        requireDissectable(snapshot);
        DissectionStatus pending = DissectionStatus.pending(snapshot, name, clock.instant());
        try {
            store.create(pending);
        } catch (NameTakenException e) {
            throw new ApiException.Conflict(e.getMessage());
        }
        try {
            events.send(TrawlEvents.DISSECTION_REQUESTED, S3Layout.dataset(snapshot, name), Map.of("snapshot", snapshot, "name", name));
        } catch (IOException e) {
            // nobody will run it: take the request back, so the name is free for a retry
            store.delete(snapshot, name);
            throw new ApiException.Internal("could not request the dissection: " + e.getMessage(), e);
        }
        var answer = new LinkedHashMap<String, Object>();
        answer.put("success", true);
        answer.put("snapshot", snapshot);
        answer.put("name", name);
        answer.put("status", pending.status().value());
        return answer;
    }

    /** GET /mcp/dissections[?snapshot=]. */
    public Map<String, Object> list(String snapshotOrNull) {
        if (snapshotOrNull != null && !snapshotOrNull.isEmpty()) Names.require("snapshot", snapshotOrNull);
        List<Map<String, Object>> out = new ArrayList<>();
        for (DissectionStatus s : store.list(snapshotOrNull == null || snapshotOrNull.isEmpty() ? null : snapshotOrNull)) {
            var item = new LinkedHashMap<String, Object>();
            item.put("snapshot", s.snapshot());
            item.put("name", s.name());
            item.put("status", s.status().value());
            // as the seed shows: a finished one says how much it holds, a working one how far it is
            if (s.status().isTerminal()) item.put("entry_count", s.entryCount());
            else item.put("progress", s.progress());
            out.add(item);
        }
        return Map.of("dissections", out);
    }

    /** GET /mcp/dissections/:snapshot/:name. */
    public Map<String, Object> get(String snapshot, String name) {
        return view(find(snapshot, name));
    }

    static Map<String, Object> view(DissectionStatus s) {
        var answer = new LinkedHashMap<String, Object>();
        answer.put("snapshot", s.snapshot());
        answer.put("name", s.name());
        answer.put("status", s.status().value());
        answer.put("progress", s.progress());
        var stats = new LinkedHashMap<String, Object>();
        stats.put("pcap_files", s.stats().pcapFiles());
        stats.put("pcap_bytes", s.stats().pcapBytes());
        stats.put("packets_processed", s.stats().packetsProcessed());
        stats.put("entries_created", s.stats().entriesCreated());
        stats.put("protocol_counts", s.stats().protocolCounts());
        answer.put("stats", stats);
        answer.put("errors", s.errors());
        return answer;
    }

    /**
     * POST .../stop: asks the job to stop (status flag and a dissection.cancelled event) and waits
     * a few seconds for it to reach a clean point. Stopping a finished dissection is a 409.
     */
    public Map<String, Object> stop(String snapshot, String name) {
        DissectionStatus s = find(snapshot, name);
        if (s.status().isTerminal()) {
            throw new ApiException.Conflict("dissection '" + name + "' of snapshot '" + snapshot + "' is already " + s.status().value());
        }
        var stored = store.update(snapshot, name, current -> {
            if (current.status().isTerminal()) return current;
            // nobody is working on it (not started, or its process died): it ends here
            if (current.status() == State.PENDING || isStale(current)) {
                return current.withCancelRequested(clock.instant()).withStatus(State.CANCELLED, clock.instant());
            }
            return current.withCancelRequested(clock.instant());
        }).orElseThrow(() -> notFound(snapshot, name));
        if (!stored.status().isTerminal()) {
            try {
                events.send(TrawlEvents.DISSECTION_CANCELLED, S3Layout.dataset(snapshot, name), Map.of("snapshot", snapshot, "name", name));
            } catch (IOException e) {
                // the flag in status.json reaches the job anyway, at its next status write
                log.warn("dissection.cancelled for {}/{} not sent: {}", snapshot, name, e.getMessage());
            }
            stored = awaitEnd(snapshot, name, stored);
        }
        var answer = new LinkedHashMap<String, Object>();
        answer.put("success", true);
        answer.put("snapshot", snapshot);
        answer.put("name", name);
        // the stop is recorded: until the job confirms, the dissection is on its way to cancelled
        answer.put("status", stored.status().isTerminal() ? stored.status().value() : State.CANCELLED.value());
        return answer;
    }

    private DissectionStatus awaitEnd(String snapshot, String name, DissectionStatus last) {
        long deadline = System.nanoTime() + stopWait.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            var now = store.find(snapshot, name);
            if (now.isEmpty()) return last;
            last = now.get();
            if (last.status().isTerminal()) return last;
        }
        return last;
    }

    /** DELETE .../:snapshot/:name: drops its partitions and its status; 409 while it runs. */
    public Map<String, Object> delete(String snapshot, String name) {
        DissectionStatus s = find(snapshot, name);
        if (!s.status().isTerminal() && !isStale(s)) {
            throw new ApiException.Conflict("dissection '" + name + "' of snapshot '" + snapshot + "' is " + s.status().value()
                    + ": stop it first");
        }
        String dataset = S3Layout.dataset(snapshot, name);
        try {
            clickHouse.with(c -> CallsDatasets.drop(c, dataset));
        } catch (RuntimeException e) {
            throw new ApiException.Internal("could not drop the data of " + dataset + ": " + e.getMessage(), e);
        }
        store.delete(snapshot, name);
        var answer = new LinkedHashMap<String, Object>();
        answer.put("success", true);
        answer.put("snapshot", snapshot);
        answer.put("name", name);
        return answer;
    }

    /** GET /mcp/databases: realtime per node, then every dissection, with counts from ClickHouse. */
    public Map<String, Object> databases() {
        List<Map<String, Object>> out = new ArrayList<>();
        Map<String, CallsDatasets.Counts> realtime;
        Map<String, CallsDatasets.Counts> dissected;
        try {
            realtime = clickHouse.with(CallsDatasets::realtimeByNode);
            dissected = clickHouse.with(CallsDatasets::dissections);
        } catch (RuntimeException e) {
            throw new ApiException.Internal("ClickHouse is unreachable: " + e.getMessage(), e);
        }
        realtime.forEach((node, c) -> {
            var db = new LinkedHashMap<String, Object>();
            db.put("type", "realtime");
            db.put("node", node);
            db.put("entry_count", c.entries());
            db.put("first_ts", c.firstTs());
            db.put("last_ts", c.lastTs());
            out.add(db);
        });
        for (DissectionStatus s : store.list(null)) {
            var c = dissected.getOrDefault(s.dataset(), CallsDatasets.Counts.NONE);
            var db = new LinkedHashMap<String, Object>();
            db.put("type", "dissection");
            db.put("snapshot", s.snapshot());
            db.put("name", s.name());
            db.put("entry_count", c.entries());
            db.put("status", s.status().value());
            db.put("first_ts", c.firstTs());
            db.put("last_ts", c.lastTs());
            out.add(db);
        }
        return Map.of("databases", out);
    }

    private boolean isStale(DissectionStatus s) {
        var updated = s.updatedAt() != null ? s.updatedAt() : s.createdAt();
        return updated != null && updated.isBefore(clock.instant().minus(staleAfter));
    }

    private DissectionStatus find(String snapshot, String name) {
        Names.require("snapshot", snapshot);
        Names.require("dissection", name);
        return store.find(snapshot, name).orElseThrow(() -> notFound(snapshot, name));
    }

    private static ApiException notFound(String snapshot, String name) {
        return new ApiException.NotFound("dissection '" + name + "' of snapshot '" + snapshot + "' not found");
    }

    /** 404 for an unknown snapshot; 409 for one still being assembled or failed (the job would find nothing to read). */
    private void requireDissectable(String snapshot) {
        var snapshots = new SnapshotStore(s3, bucket);
        var read = snapshots.read(snapshot);
        if (read.isEmpty()) {
            // chunks without a manifest (copied by hand) are dissected as they are listed
            if (snapshots.hasObjects(snapshot)) return;
            throw new ApiException.NotFound("snapshot '" + snapshot + "' not found");
        }
        SnapshotManifest manifest = read.get().manifest();
        switch (manifest.status()) {
            case IN_PROGRESS -> throw new ApiException.Conflict("snapshot '" + snapshot + "' is still in progress (its window ends at "
                    + java.time.Instant.ofEpochMilli(manifest.requestedWindow().endMs()) + "): start the dissection once it is completed");
            case FAILED -> throw new ApiException.Conflict("snapshot '" + snapshot + "' failed and holds nothing to dissect: " + manifest.error());
            default -> { }
        }
    }

    private static String text(Map<String, Object> request, String field) {
        if (request == null) throw new ApiException.BadRequest("request body must be JSON {\"snapshot\":..., \"name\":...}");
        Object v = request.get(field);
        if (v == null) throw new ApiException.BadRequest("'" + field + "' is required");
        if (!(v instanceof String s)) throw new ApiException.BadRequest("'" + field + "' must be a string");
        return s;
    }
}
