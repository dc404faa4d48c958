package dev.trawl.functions.access;

import com.clickhouse.data.ClickHouseFormat;
import dev.trawl.core.audit.AuditRecord;
import dev.trawl.functions.clickhouse.SharedClickHouse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The analysts' copy of the audit trail: each batch written to S3 is inserted into ClickHouse's
 * {@code audit} table (schema V9), which the read-only {@code analyst} login may query beside the
 * calls. S3 stays the record: a batch that does not reach ClickHouse is logged, not retried, and
 * after a failure the copies pause for a minute (a ClickHouse that is down is not asked every batch).
 */
final class AuditTable implements Consumer<List<AuditRecord>> {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final long PAUSE_NANOS = TimeUnit.MINUTES.toNanos(1);
    private final SharedClickHouse clickHouse;
    private volatile long pausedUntil = System.nanoTime();

    AuditTable(SharedClickHouse clickHouse) {
        this.clickHouse = clickHouse;
    }

    @Override
    public void accept(List<AuditRecord> batch) {
        if (System.nanoTime() - pausedUntil < 0) throw new IllegalStateException("ClickHouse failed less than a minute ago");
        try {
            insert(batch);
        } catch (RuntimeException e) {
            pausedUntil = System.nanoTime() + PAUSE_NANOS;
            throw e;
        }
    }

    private void insert(List<AuditRecord> batch) {
        ByteArrayOutputStream rows = new ByteArrayOutputStream();
        for (AuditRecord r : batch) {
            var row = new LinkedHashMap<String, Object>();
            row.put("time", TIME.format(Instant.parse(r.time())));
            row.put("actor", r.actor());
            row.put("role", r.role());
            row.put("auth", r.auth());
            row.put("action", r.action());
            row.put("target", r.target());
            row.put("outcome", r.outcome());
            row.put("status", r.status());
            row.put("client", r.client());
            rows.writeBytes(JSON.writeValueAsBytes(row));
            rows.write('\n');
        }
        clickHouse.with(client -> {
            try (var inserted = client.insert("audit", new ByteArrayInputStream(rows.toByteArray()), ClickHouseFormat.JSONEachRow).get(60, TimeUnit.SECONDS)) {
                return inserted.getWrittenRows();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("audit insert into ClickHouse failed: " + e.getMessage(), e);
            }
        });
    }
}
