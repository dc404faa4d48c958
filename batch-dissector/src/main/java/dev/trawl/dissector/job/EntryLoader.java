package dev.trawl.dissector.job;

import dev.trawl.dissect.Entry;
import dev.trawl.dissect.EntrySink;
import dev.trawl.dissector.load.CallsTable;
import dev.trawl.dissector.load.RowBinaryCalls;

/**
 * The engine's sink in a dissection run: entries into RowBinary batches, each inserted when it
 * reaches {@code maxRows} rows or {@code maxBytes} bytes, so memory stays bounded whatever the
 * snapshot's size. A failed insert is kept and rethrown by {@link #rethrowFailure} (the engine
 * calling {@link #accept} may treat a parser's exception as damage), and it stops the engine
 * through {@link #failed}.
 */
final class EntryLoader implements EntrySink {
    private final CallsTable calls;
    private final DissectionRun run;
    private final int maxRows;
    private final int maxBytes;
    private final RowBinaryCalls batch = new RowBinaryCalls();
    private RuntimeException failure;

    EntryLoader(CallsTable calls, DissectionRun run, int maxRows, int maxBytes) {
        this.calls = calls;
        this.run = run;
        this.maxRows = maxRows;
        this.maxBytes = maxBytes;
    }

    @Override
    public void accept(Entry entry) {
        if (failure != null) throw failure;
        batch.add(run.dataset, entry);
        run.countEntry(entry.protocol());
        if (batch.rows() >= maxRows || batch.bytes() >= maxBytes) insert();
    }

    /** Inserts what is batched; the engine calls it when a dissection ends, the job after each node. */
    @Override
    public void flush() {
        if (failure == null) insert();
    }

    private void insert() {
        if (batch.rows() == 0) return;
        try {
            calls.insert(batch);
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
        batch.clear();
    }

    boolean failed() {
        return failure != null;
    }

    void rethrowFailure() {
        if (failure != null) throw failure;
    }
}
