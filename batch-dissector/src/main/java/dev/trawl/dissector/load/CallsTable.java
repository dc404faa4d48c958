package dev.trawl.dissector.load;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.data.ClickHouseFormat;
import dev.trawl.core.clickhouse.CallsDatasets;
import dev.trawl.core.clickhouse.ClickHouseSchema;
import dev.trawl.dissector.Retry;
import java.util.concurrent.TimeUnit;

/**
 * The job's side of ClickHouse's {@code calls} table, with retries: binary batch inserts
 * (RowBinary through the client's insert, never SQL text), dropping a dataset, its counts.
 * The schema is migrated on first use, inside the retries, not when the dissector starts: a
 * dissector started while ClickHouse is down must still be there to take the request and end
 * it {@code failed} with the reason, instead of leaving it {@code pending} for ever.
 */
public final class CallsTable {
    public static final String TABLE = "calls";

    private final Client client;
    private final Retry retry;
    private volatile boolean schemaReady;

    public CallsTable(Client client, Retry retry) {
        this.client = client;
        this.retry = retry;
    }

    public Client client() {
        return client;
    }

    private void ensureSchema() {
        if (schemaReady) return;
        synchronized (this) {
            if (!schemaReady) {
                // every component migrates; the runner applies only what is new
                ClickHouseSchema.migrate(client);
                schemaReady = true;
            }
        }
    }

    /** Inserts one encoded batch; returns the rows ClickHouse reports written. */
    public long insert(RowBinaryCalls batch) {
        if (batch.rows() == 0) return 0;
        byte[] body = batch.buffer();
        int length = batch.bytes();
        return retry.run("insert of " + batch.rows() + " rows into ClickHouse", () -> {
            ensureSchema();
            try (var response = client.insert(TABLE, RowBinaryCalls.COLUMNS, out -> out.write(body, 0, length),
                    ClickHouseFormat.RowBinary, new InsertSettings()).get(300, TimeUnit.SECONDS)) {
                return response.getWrittenRows();
            }
        });
    }

    /**
     * Inserts finished flows into the {@code flows} table (JSONEachRow: flows are few beside
     * packets, one per connection); returns the rows written.
     */
    public long insertFlows(String dataset, java.util.List<dev.trawl.engine.flow.Flow> flows) {
        if (flows.isEmpty()) return 0;
        byte[] body = FlowRows.encode(dataset, flows);
        return retry.run("insert of " + flows.size() + " flows into ClickHouse", () -> {
            ensureSchema();
            try (var response = client.insert(FlowRows.TABLE, new java.io.ByteArrayInputStream(body), ClickHouseFormat.JSONEachRow)
                    .get(300, TimeUnit.SECONDS)) {
                return response.getWrittenRows();
            }
        });
    }

    /** Drops the dataset's partitions: how a re-run starts from nothing. */
    public int dropDataset(String dataset) {
        return retry.run("dropping dataset " + dataset, () -> {
            ensureSchema();
            return CallsDatasets.drop(client, dataset);
        });
    }

    /**
     * Deletes the node's entries of the dataset whose request began in {@code [fromMicros,
     * toMicros)} ({@code Long.MIN_VALUE}/{@code Long.MAX_VALUE}: unbounded): what an interrupted
     * attempt of a partition loaded (it owns exactly those), or what began in a chunk left out.
     * A lightweight DELETE, synchronous, values bound as parameters. Returns how many it deleted
     * per protocol, so a run's counts can drop them too.
     */
    public java.util.Map<String, Long> deleteOwned(String dataset, String node, long fromMicros, long toMicros) {
        var where = new StringBuilder("dataset = {ds:String} AND node = {node:String}");
        if (fromMicros != Long.MIN_VALUE) where.append(" AND ts >= fromUnixTimestamp64Micro({from:Int64}, 'UTC')");
        if (toMicros != Long.MAX_VALUE) where.append(" AND ts < fromUnixTimestamp64Micro({to:Int64}, 'UTC')");
        var params = java.util.Map.<String, Object>of("ds", dataset, "node", node, "from", fromMicros, "to", toMicros);
        return retry.run("deleting " + node + "'s entries of " + dataset, () -> {
            ensureSchema();
            var counts = new java.util.TreeMap<String, Long>();
            for (var r : client.queryAll("SELECT protocol, count() AS n FROM calls WHERE " + where + " GROUP BY protocol", params)) {
                counts.put(r.getString("protocol"), r.getLong("n"));
            }
            if (!counts.isEmpty()) {
                try (var response = client.query("DELETE FROM calls WHERE " + where, params,
                        new com.clickhouse.client.api.query.QuerySettings()).get(300, TimeUnit.SECONDS)) {
                    // synchronous: the rows are gone when it answers
                }
            }
            return counts;
        });
    }

    public CallsDatasets.Counts counts(String dataset) {
        return retry.run("counting " + dataset, () -> {
            ensureSchema();
            return CallsDatasets.counts(client, dataset);
        });
    }
}
