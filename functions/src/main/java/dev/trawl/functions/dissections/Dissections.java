package dev.trawl.functions.dissections;

import dev.trawl.functions.clickhouse.SharedClickHouse;
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
    private final dev.trawl.core.realtime.RealtimeProgressStore realtimeProgress;
    private final EventSender events;
    private final SharedClickHouse clickHouse;
    private final Clock clock;
    private final Duration stopWait;
    private final Duration staleAfter;

    public Dissections(S3Client s3, String bucket, DissectionStatusStore store, EventSender events, SharedClickHouse clickHouse,
            Clock clock, Duration stopWait, Duration staleAfter) {
        this.s3 = s3;
        this.bucket = bucket;
        this.store = store;
        this.realtimeProgress = new dev.trawl.core.realtime.RealtimeProgressStore(s3, bucket);
        this.events = events;
        this.clickHouse = clickHouse;
        this.clock = clock;
        this.stopWait = stopWait;
        this.staleAfter = staleAfter;
    }

    /** POST /mcp/dissections: records the request, emits dissection.requested, answers at once. */
    public DissectionAnswers.Changed start(DissectionAnswers.Request request) {
        String snapshot = Names.require("snapshot", request.snapshot());
        String name = Names.require("dissection", request.name());
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
        return new DissectionAnswers.Changed(true, snapshot, name, pending.status().value());
    }

    /** GET /mcp/dissections[?snapshot=]. */
    public DissectionAnswers.Listing list(String snapshotOrNull) {
        if (snapshotOrNull != null && !snapshotOrNull.isEmpty()) Names.require("snapshot", snapshotOrNull);
        List<DissectionAnswers.Item> out = new ArrayList<>();
        for (DissectionStatus s : store.list(snapshotOrNull == null || snapshotOrNull.isEmpty() ? null : snapshotOrNull)) {
            boolean done = s.status().isTerminal();
            out.add(new DissectionAnswers.Item(s.snapshot(), s.name(), s.status().value(),
                    done ? (Long) s.entryCount() : null, done ? null : (Integer) s.progress()));
        }
        return new DissectionAnswers.Listing(out);
    }

    /** GET /mcp/dissections/:snapshot/:name. */
    public DissectionAnswers.Details get(String snapshot, String name) {
        return DissectionAnswers.Details.of(find(snapshot, name));
    }

    /**
     * POST .../stop: asks the job to stop (status flag and a dissection.cancelled event) and waits
     * a few seconds for it to reach a clean point. Stopping a finished dissection is a 409.
     */
    public DissectionAnswers.Changed stop(String snapshot, String name) {
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
        // the stop is recorded: until the job confirms, the dissection is on its way to cancelled
        return new DissectionAnswers.Changed(true, snapshot, name,
                stored.status().isTerminal() ? stored.status().value() : State.CANCELLED.value());
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
    public DissectionAnswers.Deleted delete(String snapshot, String name) {
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
        return new DissectionAnswers.Deleted(true, snapshot, name);
    }

    /** GET /mcp/databases: realtime per node, then every dissection, with counts from ClickHouse. */
    public DissectionAnswers.Databases databases() {
        List<DissectionAnswers.Database> out = new ArrayList<>();
        Map<String, CallsDatasets.Counts> realtime;
        Map<String, CallsDatasets.Counts> dissected;
        try {
            realtime = clickHouse.with(CallsDatasets::realtimeByNode);
            dissected = clickHouse.with(CallsDatasets::dissections);
        } catch (RuntimeException e) {
            throw new ApiException.Internal("ClickHouse is unreachable: " + e.getMessage(), e);
        }
        realtime.forEach((node, c) -> out.add(new DissectionAnswers.Realtime("realtime", node, c.entries(), c.firstTs(), c.lastTs(),
                // chunks the lane could not dissect after its retries: never a silent hole
                realtimeProgress.find(node).gaps().stream().map(DissectionAnswers.Gap::of).toList())));
        for (DissectionStatus s : store.list(null)) {
            var c = dissected.getOrDefault(s.dataset(), CallsDatasets.Counts.NONE);
            out.add(new DissectionAnswers.Dissected("dissection", s.snapshot(), s.name(), c.entries(), s.status().value(), c.firstTs(), c.lastTs()));
        }
        return new DissectionAnswers.Databases(out);
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
            case PENDING, IN_PROGRESS -> throw new ApiException.Conflict("snapshot '" + snapshot + "' is still " + manifest.status().words() + " (its window ends at "
                    + java.time.Instant.ofEpochMilli(manifest.requestedWindow().endMs()) + "): start the dissection once it is completed");
            case FAILED -> throw new ApiException.Conflict("snapshot '" + snapshot + "' failed and holds nothing to dissect: " + manifest.error());
            default -> { }
        }
    }
}
