package dev.trawl.dissector.job;

import dev.trawl.dissect.Entry;
import dev.trawl.dissect.EntrySink;
import dev.trawl.dissector.load.CallsTable;
import dev.trawl.dissector.load.RowBinaryCalls;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The engine's sink in a dissection run: entries into RowBinary batches of at most
 * {@code maxRows} rows or {@code maxBytes} bytes. A full batch is inserted on the loader's own
 * thread while the engine fills the other one, so the load overlaps the dissection; memory stays
 * two batches whatever the snapshot's size. A failed insert is kept and rethrown by
 * {@link #rethrowFailure} (the engine calling {@link #accept} may treat a parser's exception as
 * damage), and it stops the engine through {@link #failed}.
 */
final class EntryLoader implements EntrySink, AutoCloseable {
    private final CallsTable calls;
    private final DissectionRun run;
    private final int maxRows;
    private final int maxBytes;
    private RowBinaryCalls filling = new RowBinaryCalls();
    private RowBinaryCalls spare = new RowBinaryCalls();
    private CompletableFuture<RowBinaryCalls> inFlight;
    private final ExecutorService inserter = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("loader").daemon(true).factory());
    private volatile RuntimeException failure;

    EntryLoader(CallsTable calls, DissectionRun run, int maxRows, int maxBytes) {
        this.calls = calls;
        this.run = run;
        this.maxRows = maxRows;
        this.maxBytes = maxBytes;
    }

    @Override
    public void accept(Entry entry) {
        rethrowFailure();
        filling.add(run.dataset, entry);
        run.countEntry(entry.protocol());
        if (filling.rows() >= maxRows || filling.bytes() >= maxBytes) send();
    }

    /** Inserts what is batched and waits for it; the engine calls it when a dissection ends. */
    @Override
    public void flush() {
        if (failure != null) return;
        send();
        awaitInFlight();
    }

    private void send() {
        if (filling.rows() == 0) return;
        awaitInFlight();
        rethrowFailure();
        RowBinaryCalls batch = filling;
        filling = spare;
        inFlight = CompletableFuture.supplyAsync(() -> {
            calls.insert(batch);
            batch.clear();
            return batch;
        }, inserter);
    }

    /** Waits for the insert under way, if any: after it, ClickHouse holds every batch sent. */
    void awaitInFlight() {
        if (inFlight == null) return;
        try {
            spare = inFlight.join();
        } catch (CompletionException e) {
            failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            spare = new RowBinaryCalls();
        } finally {
            inFlight = null;
        }
    }

    boolean failed() {
        return failure != null;
    }

    void rethrowFailure() {
        if (failure != null) throw failure;
    }

    @Override
    public void close() {
        awaitInFlight();
        inserter.shutdown();
    }
}
