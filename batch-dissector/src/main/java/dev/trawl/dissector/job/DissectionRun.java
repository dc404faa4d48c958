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

    /** Every partition of the dissection (this worker's and the others'), registered {@code pending}. */
    private volatile List<NodePartitioner.Slice> plan = List.of();
    /** This worker's partitions being run or run. */
    private final Map<String, PartitionRun> mine = new ConcurrentHashMap<>();
    /** The partitions as last read from status.json (other workers' included). */
    private volatile List<DissectionStatus.Partition> stored = List.of();
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

    void plan(List<NodePartitioner.Slice> slices) {
        plan = List.copyOf(slices);
    }

    /** Starts counting a partition of this worker; {@code attempts} includes this one. */
    PartitionRun start(NodePartitioner.Slice slice, int attempts) {
        var p = new PartitionRun(slice, attempts);
        mine.put(slice.key(), p);
        return p;
    }

    /** The stats of the whole dissection: the sums of its partitions. */
    public DissectionStatus.Stats stats() {
        return sums(merged(stored));
    }

    /** The partitions read from status.json, with this worker's plan and progress laid over them. */
    private List<DissectionStatus.Partition> merged(List<DissectionStatus.Partition> fromStatus) {
        var byKey = new TreeMap<String, DissectionStatus.Partition>();
        fromStatus.forEach(p -> byKey.put(p.key(), p));
        for (var slice : plan) {
            byKey.putIfAbsent(slice.key(), new DissectionStatus.Partition(slice.key(), slice.node(), DissectionStatus.Partition.PENDING,
                    slice.ownedFiles(), slice.ownedBytes(), 0, 0, 0, Map.of()));
        }
        mine.values().forEach(p -> byKey.put(p.slice.key(), p.toStatus()));
        return List.copyOf(byKey.values());
    }

    private static DissectionStatus.Stats sums(List<DissectionStatus.Partition> partitions) {
        long files = 0, bytes = 0, packets = 0, entries = 0;
        Map<String, Long> protocols = new TreeMap<>();
        for (var p : partitions) {
            files += p.pcapFiles();
            bytes += p.pcapBytes();
            packets += p.packetsProcessed();
            entries += p.entriesCreated();
            p.protocolCounts().forEach((k, n) -> protocols.merge(k, n, Long::sum));
        }
        return new DissectionStatus.Stats(files, bytes, packets, entries, protocols);
    }

    /** Bytes of PCAP dissected over the snapshot's: completed partitions whole, this worker's running ones as far as they got. */
    private int progress(List<DissectionStatus.Partition> partitions) {
        long total = 0, done = 0;
        for (var p : partitions) {
            total += p.pcapBytes();
            PartitionRun running = mine.get(p.key());
            if (p.status().equals(DissectionStatus.Partition.COMPLETED)) done += p.pcapBytes();
            else if (running != null) done += running.bytesDone();
        }
        // 100 only when the data is counted and the status says completed
        return total == 0 ? 0 : (int) Math.min(99, done * 100 / total);
    }

    /** True when status.json shows every partition of the dissection completed (all workers done). */
    boolean allPartitionsCompleted() {
        var all = merged(stored);
        return !all.isEmpty() && all.stream().allMatch(p -> p.status().equals(DissectionStatus.Partition.COMPLETED));
    }

    /** The partitions that completed in an earlier run (kept by the restart) and are not redone. */
    java.util.Set<String> completedBefore() {
        var done = new java.util.HashSet<String>();
        stored.forEach(p -> {
            if (p.status().equals(DissectionStatus.Partition.COMPLETED) && !mine.containsKey(p.key())) done.add(p.key());
        });
        return done;
    }

    /** Seeds the run with what status.json holds (the partitions an earlier run completed). */
    void load(DissectionStatus status) {
        stored = status.partitions();
    }

    /** Writes progress (and {@code next} state, if given); returns the stored status. */
    public synchronized DissectionStatus publish(State next) {
        if (next != null) state = next;
        List<String> errors = List.copyOf(newErrors);
        State target = state;
        var written = Retry.DEFAULT.run("writing status of " + snapshot + "/" + name, () -> store.update(snapshot, name, s -> {
            // ended from outside (a stop of a run that looked dead): that is final
            if (s.status().isTerminal()) return s;
            // other workers of an Indexed Job write their partitions into the same file
            var partitions = merged(s.partitions());
            var n = s.status() == target ? s : s.withStatus(target, clock.instant());
            return n.withPartitions(partitions, clock.instant())
                    .withProgress(target == State.COMPLETED ? 100 : progress(partitions), sums(partitions), clock.instant())
                    .withErrors(errors, clock.instant());
        }));
        newErrors.removeAll(errors);
        written.ifPresent(w -> stored = w.partitions());
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
        Retry.DEFAULT.run("writing final status of " + snapshot + "/" + name, () -> store.update(snapshot, name, s -> {
            var partitions = merged(s.partitions());
            return s.withStatus(s.status().isTerminal() ? s.status() : end, clock.instant())
                    .withPartitions(partitions, clock.instant())
                    .withProgress(end == State.COMPLETED ? 100 : progress(partitions), sums(partitions), clock.instant())
                    .withErrors(errors, clock.instant())
                    .withEntries(entryCount, firstTs, lastTs, clock.instant());
        }));
        newErrors.clear();
    }

    public State state() {
        return state;
    }

    /**
     * One partition's run in this worker: its counters, and where its time went (waiting for S3,
     * in the engine, inserting on the loader's thread).
     */
    static final class PartitionRun {
        final NodePartitioner.Slice slice;
        final int attempts;
        volatile String status = DissectionStatus.Partition.RUNNING;
        final AtomicLong packets = new AtomicLong();
        final AtomicLong entries = new AtomicLong();
        final AtomicLong chunksBytesDone = new AtomicLong();
        volatile long currentChunkBytes;
        final Map<String, LongAdder> protocols = new ConcurrentHashMap<>();
        final LongAdder s3WaitNanos = new LongAdder();
        final LongAdder loadNanos = new LongAdder();
        final LongAdder loadWaitNanos = new LongAdder();

        PartitionRun(NodePartitioner.Slice slice, int attempts) {
            this.slice = slice;
            this.attempts = attempts;
        }

        /** Entries ClickHouse has taken. */
        void countEntries(String protocol, long n) {
            entries.addAndGet(n);
            protocols.computeIfAbsent(protocol, p -> new LongAdder()).add(n);
        }

        long bytesDone() {
            return chunksBytesDone.get() + currentChunkBytes;
        }

        DissectionStatus.Partition toStatus() {
            Map<String, Long> counts = new TreeMap<>();
            protocols.forEach((p, n) -> {
                if (n.sum() > 0) counts.put(p, n.sum());
            });
            return new DissectionStatus.Partition(slice.key(), slice.node(), status, slice.ownedFiles(), slice.ownedBytes(),
                    packets.get(), entries.get(), attempts, counts);
        }
    }

    /** Thrown at a clean point after a stop request; the job ends {@code cancelled}. */
    public static final class CancelledException extends RuntimeException {
        public CancelledException(String message) {
            super(message);
        }
    }
}
