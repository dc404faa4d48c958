package dev.trawl.dissector.load;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.data.ClickHouseFormat;
import dev.trawl.dissector.Retry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The job's side of ClickHouse's {@code calls} table: binary batch inserts (RowBinary through the
 * client's insert, never SQL text), dropping a dataset by partition, and a dataset's counts.
 * Every value reaches ClickHouse as a bound parameter or in the RowBinary body.
 */
public final class CallsTable {
    public static final String TABLE = "calls";
    private static final Pattern PARTITION_ID = Pattern.compile("[0-9a-zA-Z_-]{1,128}");

    private final Client client;
    private final Retry retry;

    public CallsTable(Client client, Retry retry) {
        this.client = client;
        this.retry = retry;
    }

    public Client client() {
        return client;
    }

    /** Inserts one encoded batch; returns the rows ClickHouse reports written. */
    public long insert(RowBinaryCalls batch) {
        if (batch.rows() == 0) return 0;
        byte[] body = batch.buffer();
        int length = batch.bytes();
        return retry.run("insert of " + batch.rows() + " rows into ClickHouse", () -> {
            try (var response = client.insert(TABLE, dev.trawl.dissector.engine.CallRow.COLUMNS, out -> out.write(body, 0, length),
                    ClickHouseFormat.RowBinary, new InsertSettings()).get(300, TimeUnit.SECONDS)) {
                return response.getWrittenRows();
            }
        });
    }

    /**
     * Drops every partition of {@code dataset}: a metadata operation per day of data, and the way
     * a re-run starts clean (so a run killed halfway leaves nothing behind that the next run
     * would double).
     */
    public int dropDataset(String dataset) {
        List<GenericRecord> partitions = retry.run("listing partitions of " + dataset, () ->
                client.queryAll("SELECT DISTINCT _partition_id AS p FROM calls WHERE dataset = {ds:String}", Map.of("ds", dataset)));
        for (GenericRecord r : partitions) {
            String id = r.getString("p");
            // partition ids come from ClickHouse itself; checked anyway, as they go into DDL text
            if (!PARTITION_ID.matcher(id).matches()) throw new IllegalStateException("unexpected partition id " + id);
            retry.run("dropping partition " + id + " of " + dataset, () -> {
                client.execute("ALTER TABLE calls DROP PARTITION ID '" + id + "'").get(300, TimeUnit.SECONDS).close();
                return null;
            });
        }
        return partitions.size();
    }

    /** Entry count and first/last entry time (epoch ms; null without entries) of one dataset. */
    public DatasetCounts counts(String dataset) {
        List<GenericRecord> rows = retry.run("counting " + dataset, () -> client.queryAll(
                "SELECT count() AS n, toUnixTimestamp64Milli(min(ts)) AS first, toUnixTimestamp64Milli(max(ts)) AS last"
                        + " FROM calls FINAL WHERE dataset = {ds:String}", Map.of("ds", dataset)));
        GenericRecord r = rows.getFirst();
        long n = r.getLong("n");
        return n == 0 ? new DatasetCounts(0, null, null) : new DatasetCounts(n, r.getLong("first"), r.getLong("last"));
    }

    public record DatasetCounts(long entries, Long firstTs, Long lastTs) {}
}
