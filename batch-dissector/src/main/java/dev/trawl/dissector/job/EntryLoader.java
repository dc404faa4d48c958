package dev.trawl.dissector.job;

import dev.trawl.engine.Entry;
import dev.trawl.engine.EntrySink;
import dev.trawl.engine.flow.Flow;
import dev.trawl.dissector.load.CallsTable;
import dev.trawl.dissector.load.RowBinaryCalls;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The engine's sink in a dissection run: entries into RowBinary batches of at most
 * {@code maxRows} rows or {@code maxBytes} bytes. A full batch is inserted on the loader's own
 * thread while the engine fills the other one, so the load overlaps the dissection; memory stays
 * two batches whatever the snapshot's size. Entries count in the run's stats once ClickHouse has
 * taken their batch, so {@code entries_created} never counts what a stop left unsent. A failed insert is kept and rethrown by
 * {@link #rethrowFailure} (the engine calling {@link #accept} may treat a parser's exception as
 * damage), and it stops the engine through {@link #failed}. Each partition has its own loader,
 * so partitions insert in parallel; an entry its partition does not own (it began in the overlap
 * read before or after a time slice) is left to the partition that owns it.
 */
final class EntryLoader implements EntrySink, AutoCloseable {
    private final CallsTable calls;
    private final String dataset;
    private final DissectionRun.PartitionRun partition;
    private final int maxRows;
    private final int maxBytes;
    private Batch filling = new Batch();
    private Batch spare = new Batch();
    private final java.util.List<Flow> flows = new java.util.ArrayList<>();
    private CompletableFuture<Batch> inFlight;
    private final ExecutorService inserter = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("loader").daemon(true).factory());
    private volatile RuntimeException failure;
    /** Time ranges of chunks left out of the dissection ({@code [from, to)} ns): entries that began in them are not loaded. */
    private final java.util.List<long[]> leftOut = new java.util.ArrayList<>();

    EntryLoader(CallsTable calls, String dataset, DissectionRun.PartitionRun partition, int maxRows, int maxBytes) {
        this.calls = calls;
        this.dataset = dataset;
        this.partition = partition;
        this.maxRows = maxRows;
        this.maxBytes = maxBytes;
    }

    @Override
    public void accept(Entry entry) {
        rethrowFailure();
        long nanos = entry.timestampMicros() * 1000;
        if (!partition.slice.ownsEntryAt(nanos) || leftOut.stream().anyMatch(range -> nanos >= range[0] && nanos < range[1])) return;
        filling.add(dataset, entry);
        if (filling.rows.rows() >= maxRows || filling.rows.bytes() >= maxBytes) send();
    }

    /** Flows go with the partition that saw their first packet, as entries go with their request's. */
    @Override
    public void acceptFlow(Flow flow) {
        rethrowFailure();
        long nanos = flow.firstTsNanos();
        if (!partition.slice.ownsEntryAt(nanos) || leftOut.stream().anyMatch(range -> nanos >= range[0] && nanos < range[1])) return;
        flows.add(flow);
        if (flows.size() >= maxRows) sendFlows();
    }

    /** Inserts what is batched and waits for it; the engine calls it when a dissection ends. */
    @Override
    public void flush() {
        if (failure != null) return;
        send();
        awaitInFlight();
        sendFlows();
    }

    private void sendFlows() {
        if (flows.isEmpty()) return;
        try {
            calls.insertFlows(dataset, flows);
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            flows.clear();
        }
    }

    private void send() {
        if (filling.rows.rows() == 0) return;
        awaitInFlight();
        rethrowFailure();
        Batch batch = filling;
        filling = spare;
        inFlight = CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            calls.insert(batch.rows);
            partition.loadNanos.add(System.nanoTime() - start);
            batch.protocols.forEach((protocol, n) -> partition.countEntries(protocol, n[0]));
            batch.clear();
            return batch;
        }, inserter);
    }

    /** Waits for the insert under way, if any: after it, ClickHouse holds every batch sent. */
    void awaitInFlight() {
        if (inFlight == null) return;
        long start = System.nanoTime();
        try {
            spare = inFlight.join();
            partition.loadWaitNanos.add(System.nanoTime() - start);
        } catch (CompletionException e) {
            failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            spare = new Batch();
        } finally {
            inFlight = null;
        }
    }

    /** From now on, entries that began in {@code [fromNanos, toNanos)} are dropped (those already sent are the caller's to delete). */
    void leaveOut(long fromNanos, long toNanos) {
        leftOut.add(new long[] {fromNanos, toNanos});
    }

    boolean failed() {
        return failure != null;
    }

    void rethrowFailure() {
        if (failure != null) throw failure;
    }

    /** Encoded rows and how many of them each protocol has. */
    private static final class Batch {
        final RowBinaryCalls rows = new RowBinaryCalls();
        final Map<String, long[]> protocols = new HashMap<>();

        void add(String dataset, Entry entry) {
            rows.add(dataset, entry);
            String protocol = entry.protocol() == null || entry.protocol().isEmpty() ? "unknown" : entry.protocol();
            protocols.computeIfAbsent(protocol, p -> new long[1])[0]++;
        }

        void clear() {
            rows.clear();
            protocols.clear();
        }
    }

    @Override
    public void close() {
        awaitInFlight();
        inserter.shutdown();
    }
}
