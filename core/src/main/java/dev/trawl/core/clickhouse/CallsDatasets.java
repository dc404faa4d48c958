package dev.trawl.core.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.GenericRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The datasets of the {@code calls} table ({@code realtime}, {@code <snapshot>/<dissection>}):
 * their counts, and dropping one by partition. Shared by the job (a re-run starts by dropping)
 * and the functions (DELETE, {@code /mcp/databases}). Values are bound parameters, never pasted.
 */
public final class CallsDatasets {
    private static final Pattern PARTITION_ID = Pattern.compile("[0-9a-zA-Z_-]{1,128}");

    private CallsDatasets() {}

    /** Entries, and first and last entry time in epoch milliseconds (null without entries). */
    public record Counts(long entries, Long firstTs, Long lastTs) {
        public static final Counts NONE = new Counts(0, null, null);
    }

    /**
     * One dataset's counts. No FINAL: a dissection run starts by dropping what an earlier run
     * left, so its rows are unique, and the answer stays a cheap aggregate.
     */
    public static Counts counts(Client client, String dataset) {
        List<GenericRecord> rows = client.queryAll("""
                SELECT count() AS n, toUnixTimestamp64Milli(min(ts)) AS first, toUnixTimestamp64Milli(max(ts)) AS last
                FROM calls WHERE dataset = {ds:String}""", Map.of("ds", dataset));
        return toCounts(rows.getFirst());
    }

    /** Every dataset but {@code realtime}, by dataset. */
    public static Map<String, Counts> dissections(Client client) {
        var out = new LinkedHashMap<String, Counts>();
        for (GenericRecord r : client.queryAll("""
                SELECT dataset, count() AS n, toUnixTimestamp64Milli(min(ts)) AS first, toUnixTimestamp64Milli(max(ts)) AS last
                FROM calls WHERE dataset != 'realtime' GROUP BY dataset ORDER BY dataset""")) {
            out.put(r.getString("dataset"), toCounts(r));
        }
        return out;
    }

    /** The {@code realtime} dataset per node; FINAL, as a repeated upload event folds into the same rows. */
    public static Map<String, Counts> realtimeByNode(Client client) {
        var out = new LinkedHashMap<String, Counts>();
        for (GenericRecord r : client.queryAll("""
                SELECT node, count() AS n, toUnixTimestamp64Milli(min(ts)) AS first, toUnixTimestamp64Milli(max(ts)) AS last
                FROM calls FINAL WHERE dataset = 'realtime' GROUP BY node ORDER BY node""")) {
            out.put(r.getString("node"), toCounts(r));
        }
        return out;
    }

    /** Drops every partition of {@code dataset}, its calls' and its flows' (metadata operations, not a row-by-row delete); returns how many. */
    public static int drop(Client client, String dataset) {
        String cluster = ClickHouseSchema.cluster(System::getenv);
        ClusterDdl form = cluster == null ? null : new ClusterDdl(cluster);
        int dropped = 0;
        for (String table : List.of("calls", "flows")) {
            // on a cluster the partitions are those of the local table on each shard
            List<GenericRecord> partitions = client.queryAll(
                    "SELECT DISTINCT _partition_id AS p FROM " + (form == null ? table : form.acrossShards(table))
                            + " WHERE dataset = {ds:String}", Map.of("ds", dataset));
            for (GenericRecord r : partitions) {
                String id = r.getString("p");
                // ids come from ClickHouse itself; checked anyway, since DDL takes no bound parameter here
                if (!PARTITION_ID.matcher(id).matches()) throw new IllegalStateException("unexpected partition id " + id);
                try {
                    client.execute("ALTER TABLE " + (form == null ? table : form.localTable(table)) + " DROP PARTITION ID '" + id + "'")
                            .get(300, TimeUnit.SECONDS).close();
                } catch (Exception e) {
                    Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
                    throw new IllegalStateException("dropping partition " + id + " of " + dataset + ": " + cause.getMessage(), cause);
                }
            }
            dropped += partitions.size();
        }
        return dropped;
    }

    private static Counts toCounts(GenericRecord r) {
        long n = r.getLong("n");
        return n == 0 ? Counts.NONE : new Counts(n, r.getLong("first"), r.getLong("last"));
    }
}
