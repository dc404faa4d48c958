package dev.trawl.dissector.job;

import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.dissector.Retry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of one dissection: its counters, its errors, and its line to status.json. The job's
 * steps count into it; {@link #publish} writes the status (compare-and-set, so a stop request
 * written meanwhile is kept) every {@code interval} ms, and learns from the same read whether a
 * stop was requested.
 */
public final class DissectionRun {
    private static final Logger log = LoggerFactory.getLogger(DissectionRun.class);

    public final String snapshot;
    public final String name;
    public final String dataset;

    final AtomicLong pcapFiles = new AtomicLong();
    final AtomicLong pcapBytes = new AtomicLong();
    final AtomicLong bytesDone = new AtomicLong();
    private volatile long currentChunkBytes;
    final AtomicLong packets = new AtomicLong();
    final AtomicLong entries = new AtomicLong();
    final Map<String, LongAdder> protocols = new ConcurrentHashMap<>();
    private final List<String> newErrors = new ArrayList<>();

    private final DissectionStatusStore store;
    private final Clock clock;
    private final long intervalMillis;
    private volatile boolean cancelRequested;
    private volatile State state = State.PENDING;
    private ScheduledFuture<?> ticker;

    public DissectionRun(String snapshot, String name, String dataset, DissectionStatusStore store, Clock clock, long intervalMillis) {
        this.snapshot = snapshot;
        this.name = name;
        this.dataset = dataset;
        this.store = store;
        this.clock = clock;
        this.intervalMillis = intervalMillis;
    }

    /** Asked from this process (the cancel event); the status file's flag is read on every publish. */
    public void requestCancel() {
        cancelRequested = true;
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    /** Throws at a clean point when a stop was requested: between batches, reads, chunks. */
    public void checkCancelled() {
        if (cancelRequested) throw new CancelledException(snapshot + "/" + name + " was stopped");
    }

    /**
     * Writes progress every interval from {@code timer}'s thread, never from the job's: a status
     * write is a round trip to S3, and the job should not wait for it.
     */
    void startPublishing(ScheduledExecutorService timer) {
        ticker = timer.scheduleWithFixedDelay(() -> {
            try {
                publish(null);
            } catch (CancelledException deleted) {
                // publish has set the flag; the job stops at its next clean point
            } catch (RuntimeException e) {
                log.warn("{}/{}: progress not written: {}", snapshot, name, Retry.reason(e));
            }
        }, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    void stopPublishing() {
        if (ticker != null) ticker.cancel(false);
    }

    public synchronized void error(String message) {
        log.warn("{}/{}: {}", snapshot, name, message);
        newErrors.add(message);
    }

    /** Entries ClickHouse has taken. */
    void countEntries(String protocol, long n) {
        entries.addAndGet(n);
        protocols.computeIfAbsent(protocol, p -> new LongAdder()).add(n);
    }

    public DissectionStatus.Stats stats() {
        Map<String, Long> counts = new TreeMap<>();
        protocols.forEach((p, n) -> counts.put(p, n.sum()));
        return new DissectionStatus.Stats(pcapFiles.get(), pcapBytes.get(), packets.get(), entries.get(), counts);
    }

    /** Bytes read so far of the chunk being dissected. */
    void chunkProgress(long bytes) {
        currentChunkBytes = bytes;
    }

    void chunkDone(long size) {
        currentChunkBytes = 0;
        bytesDone.addAndGet(size);
    }

    int progress() {
        long total = pcapBytes.get();
        if (total == 0) return 0;
        // 100 only when the data is counted and the status says completed
        return (int) Math.min(99, (bytesDone.get() + currentChunkBytes) * 100 / total);
    }

    /** Writes progress (and {@code next} state, if given); returns the stored status. */
    public synchronized DissectionStatus publish(State next) {
        if (next != null) state = next;
        List<String> errors = List.copyOf(newErrors);
        State target = state;
        var stats = stats();
        int progress = progress();
        var written = Retry.DEFAULT.run("writing status of " + snapshot + "/" + name, () -> store.update(snapshot, name, s -> {
            // ended from outside (a stop of a run that looked dead): that is final
            if (s.status().isTerminal()) return s;
            var n = s.status() == target ? s : s.withStatus(target, clock.instant());
            return n.withProgress(target == State.COMPLETED ? 100 : progress, stats, clock.instant()).withErrors(errors, clock.instant());
        }));
        newErrors.removeAll(errors);
        if (written.isEmpty()) {
            // deleted while running: nothing to report to, stop as soon as possible
            cancelRequested = true;
            throw new CancelledException(snapshot + "/" + name + " was deleted");
        }
        if (written.get().cancelRequested() || written.get().status().isTerminal()) cancelRequested = true;
        return written.get();
    }

    /** Ends the run with a final state and the dataset's real counts from ClickHouse. */
    public synchronized void finish(State end, long entryCount, Long firstTs, Long lastTs, String reason) {
        stopPublishing();
        state = end;
        if (reason != null) newErrors.add(reason);
        List<String> errors = List.copyOf(newErrors);
        var stats = stats();
        int progress = end == State.COMPLETED ? 100 : progress();
        Retry.DEFAULT.run("writing final status of " + snapshot + "/" + name, () -> store.update(snapshot, name, s -> s
                .withStatus(s.status().isTerminal() ? s.status() : end, clock.instant())
                .withProgress(progress, stats, clock.instant())
                .withErrors(errors, clock.instant())
                .withEntries(entryCount, firstTs, lastTs, clock.instant())));
        newErrors.clear();
    }

    public State state() {
        return state;
    }

    /** Thrown at a clean point after a stop request; the job ends {@code cancelled}. */
    public static final class CancelledException extends RuntimeException {
        public CancelledException(String message) {
            super(message);
        }
    }
}
