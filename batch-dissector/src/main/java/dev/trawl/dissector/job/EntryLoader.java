package dev.trawl.dissector.job;

import dev.trawl.dissector.engine.CallRow;
import dev.trawl.dissector.load.CallsTable;
import dev.trawl.dissector.load.RowBinaryCalls;
import java.util.function.Consumer;

/**
 * Collects the engine's entries into RowBinary batches and inserts each when it reaches
 * {@code maxRows} rows or {@code maxBytes} bytes: memory stays bounded whatever the snapshot's size.
 * A failed insert is kept and rethrown by {@link #rethrowFailure}, as the engine calling
 * {@link #accept} might otherwise swallow it as damage.
 */
final class EntryLoader implements Consumer<CallRow> {
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
    public void accept(CallRow row) {
        if (failure != null) throw failure;
        batch.add(run.dataset, row);
        run.countEntry(row.protocol());
        if (batch.rows() >= maxRows || batch.bytes() >= maxBytes) flush();
    }

    void flush() {
        if (batch.rows() == 0) return;
        try {
            calls.insert(batch);
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
        batch.clear();
        run.checkCancelled();
    }

    void rethrowFailure() {
        if (failure != null) throw failure;
    }
}
