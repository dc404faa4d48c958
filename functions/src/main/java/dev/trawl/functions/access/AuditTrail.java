package dev.trawl.functions.access;

import dev.trawl.core.audit.AuditRecord;
import dev.trawl.core.audit.AuditStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects audit records and appends them to the {@link AuditStore} in batches: one object per
 * {@code interval} (or per {@code batchLimit} records, whichever comes first), so a busy API does
 * not write an object per request. A batch that cannot be written stays queued and is tried again;
 * {@link #close()} writes what is left before the process ends.
 */
public final class AuditTrail implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);

    private final AuditStore store;
    private final Clock clock;
    private final int batchLimit;
    private final List<Consumer<List<AuditRecord>>> copies;
    private final List<AuditRecord> pending = new ArrayList<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicBoolean earlyFlushQueued = new AtomicBoolean();
    private final Object writing = new Object();
    private final ScheduledExecutorService flusher =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("audit-flush").daemon().factory());

    /** {@code copies}: where else each written batch goes (the analysts' ClickHouse table); a copy that fails loses nothing in S3. */
    public AuditTrail(AuditStore store, Clock clock, Duration interval, int batchLimit, List<Consumer<List<AuditRecord>>> copies) {
        this.store = store;
        this.clock = clock;
        this.batchLimit = batchLimit;
        this.copies = List.copyOf(copies);
        flusher.scheduleWithFixedDelay(this::flushQuietly, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Clock clock() {
        return clock;
    }

    public void record(AuditRecord record) {
        boolean full;
        synchronized (pending) {
            pending.add(record);
            full = pending.size() >= batchLimit;
        }
        // one early write at a time: records arriving while it waits join its batch instead of making objects of their own
        if (full && earlyFlushQueued.compareAndSet(false, true)) {
            flusher.execute(() -> {
                earlyFlushQueued.set(false);
                flushQuietly();
            });
        }
    }

    /** Writes every queued record now; on failure they stay queued (in order) and the error is thrown. */
    public void flush() {
        synchronized (writing) {
            List<AuditRecord> batch;
            synchronized (pending) {
                if (pending.isEmpty()) return;
                batch = List.copyOf(pending);
                pending.clear();
            }
            try {
                store.append(batch, clock.instant(), sequence.incrementAndGet());
            } catch (RuntimeException e) {
                synchronized (pending) {
                    pending.addAll(0, batch);
                }
                throw e;
            }
            for (Consumer<List<AuditRecord>> copy : copies) {
                try {
                    copy.accept(batch);
                } catch (RuntimeException e) {
                    log.warn("audit: {} record(s) are in S3 but not in the copy ({})", batch.size(), e.getClass().getSimpleName());
                }
            }
        }
    }

    /** Records from {@code since} on that pass the filter, after writing what is queued. */
    public List<AuditRecord> read(Instant since, Predicate<AuditRecord> filter, int limit) throws IOException {
        flush();
        return store.read(since, filter, limit);
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            int queued;
            synchronized (pending) {
                queued = pending.size();
            }
            log.warn("audit: {} record(s) not yet written to S3, retrying ({})", queued, e.getClass().getSimpleName());
        }
    }

    /** Stops the timer and writes what is queued, trying a few times before giving up loudly. */
    @Override
    public void close() {
        flusher.shutdown();
        for (int attempt = 1; ; attempt++) {
            try {
                flush();
                return;
            } catch (RuntimeException e) {
                if (attempt == 3) {
                    synchronized (pending) {
                        log.error("audit: {} record(s) could not be written to S3 at shutdown: {}", pending.size(), pending);
                    }
                    return;
                }
                try {
                    Thread.sleep(500L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
