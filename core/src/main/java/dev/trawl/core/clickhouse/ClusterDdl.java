package dev.trawl.core.clickhouse;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A schema script's statement in its form for a ClickHouse cluster. A MergeTree table {@code t}
 * becomes {@code t_local}, Replicated, on every server ({@code ON CLUSTER}), and {@code t} a
 * Distributed table over it, so code reads and writes {@code t} unchanged; a view is created on
 * every server and reads the Distributed table. A statement with no known cluster form is refused
 * rather than applied to one server only.
 */
final class ClusterDdl {
    /** How rows of a table are spread over shards: a dissection stays on one shard, so its repeats fold and its partitions drop there. */
    static final Map<String, String> SHARDING_KEYS = Map.of("calls", "sipHash64(dataset)");
    static final String LOCAL_SUFFIX = "_local";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern CREATE_TABLE = Pattern.compile(
            "(?is)CREATE TABLE (IF NOT EXISTS )?([A-Za-z_][A-Za-z0-9_]*)\\s*(\\(.*)ENGINE\\s*=\\s*(ReplacingMergeTree|MergeTree)(?:\\(([^)]*)\\))?(.*)");
    private static final Pattern CREATE_VIEW = Pattern.compile(
            "(?is)(CREATE (?:OR REPLACE )?VIEW (?:IF NOT EXISTS )?)([A-Za-z_][A-Za-z0-9_]*)(\\s+.*)");
    private static final Pattern DROP = Pattern.compile("(?is)(DROP (?:VIEW|TABLE) (?:IF EXISTS )?)([A-Za-z_][A-Za-z0-9_]*)(.*)");
    private static final Pattern ALTER = Pattern.compile("(?is)ALTER TABLE ([A-Za-z_][A-Za-z0-9_]*)(\\s+.*)");

    private final String cluster;
    private final String onCluster;

    ClusterDdl(String cluster) {
        this.cluster = checkedName(cluster);
        this.onCluster = " ON CLUSTER '" + this.cluster + "'";
    }

    /** A cluster's name becomes part of DDL text: only a plain name is taken. */
    static String checkedName(String cluster) {
        if (!NAME.matcher(cluster).matches()) {
            throw new IllegalArgumentException("TRAWL_CLICKHOUSE_CLUSTER must be a plain cluster name (letters, digits, _ and -), not " + cluster);
        }
        return cluster;
    }

    /** The statements that stand for one script statement on the cluster. */
    List<String> rewrite(String statement) {
        String sql = statement.strip();
        Matcher m = CREATE_TABLE.matcher(sql);
        if (m.matches()) {
            String ifNotExists = m.group(1) == null ? "" : m.group(1);
            String table = m.group(2);
            String local = table + LOCAL_SUFFIX;
            String args = m.group(5) == null ? "" : m.group(5).strip();
            String replicated = "Replicated" + m.group(4) + "('/clickhouse/tables/{shard}/{database}/" + local + "', '{replica}'"
                    + (args.isEmpty() ? "" : ", " + args) + ")";
            return List.of(
                    "CREATE TABLE " + ifNotExists + local + onCluster + "\n" + m.group(3) + "ENGINE = " + replicated + m.group(6),
                    "CREATE TABLE " + ifNotExists + table + onCluster + " AS " + local
                            + "\nENGINE = Distributed('" + cluster + "', currentDatabase(), " + local + ", "
                            + SHARDING_KEYS.getOrDefault(table, "rand()") + ")");
        }
        m = CREATE_VIEW.matcher(sql);
        if (m.matches()) return List.of(m.group(1) + m.group(2) + onCluster + m.group(3));
        m = DROP.matcher(sql);
        if (m.matches()) return List.of(m.group(1) + m.group(2) + onCluster + m.group(3));
        m = ALTER.matcher(sql);
        if (m.matches()) return List.of("ALTER TABLE " + m.group(1) + LOCAL_SUFFIX + onCluster + m.group(2));
        throw new IllegalStateException("no cluster form for the schema statement: " + sql.lines().findFirst().orElse(sql));
    }

    /** Where a table's rows are, for what a Distributed table does not do (DROP PARTITION): its local table on every server. */
    String localTable(String table) {
        return table + LOCAL_SUFFIX + onCluster;
    }

    /** The local table read across the cluster, one replica per shard (partition ids, which a Distributed table does not show). */
    String acrossShards(String table) {
        return "cluster('" + cluster + "', currentDatabase(), " + table + LOCAL_SUFFIX + ")";
    }
}
