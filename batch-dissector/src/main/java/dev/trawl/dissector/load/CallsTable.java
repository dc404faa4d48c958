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

    /** Drops the dataset's partitions: how a re-run starts from nothing. */
    public int dropDataset(String dataset) {
        return retry.run("dropping dataset " + dataset, () -> {
            ensureSchema();
            return CallsDatasets.drop(client, dataset);
        });
    }

    /**
     * Deletes what an interrupted attempt of one partition loaded: the node's entries of the
     * dataset whose request began in {@code [fromMicros, toMicros)} (the partition owns exactly
     * those; {@code Long.MIN_VALUE}/{@code Long.MAX_VALUE}: unbounded). A lightweight DELETE,
     * synchronous, values bound as parameters.
     */
    public void deleteOwned(String dataset, String node, long fromMicros, long toMicros) {
        var sql = new StringBuilder("DELETE FROM calls WHERE dataset = {ds:String} AND node = {node:String}");
        if (fromMicros != Long.MIN_VALUE) sql.append(" AND ts >= fromUnixTimestamp64Micro({from:Int64}, 'UTC')");
        if (toMicros != Long.MAX_VALUE) sql.append(" AND ts < fromUnixTimestamp64Micro({to:Int64}, 'UTC')");
        retry.run("deleting " + node + "'s entries of " + dataset, () -> {
            ensureSchema();
            try (var response = client.query(sql.toString(),
                    java.util.Map.of("ds", dataset, "node", node, "from", fromMicros, "to", toMicros),
                    new com.clickhouse.client.api.query.QuerySettings()).get(300, TimeUnit.SECONDS)) {
                return null;
            }
        });
    }

    public CallsDatasets.Counts counts(String dataset) {
        return retry.run("counting " + dataset, () -> {
            ensureSchema();
            return CallsDatasets.counts(client, dataset);
        });
    }
}
