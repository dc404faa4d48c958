package dev.trawl.core.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterDdlTest {
    final ClusterDdl trawl = new ClusterDdl("trawl");

    @Test
    void aMergeTreeTableBecomesReplicatedLocalTablesAndADistributedTableUnderItsName() {
        List<String> calls = trawl.rewrite("CREATE TABLE IF NOT EXISTS calls\n(dataset String, ts DateTime, INDEX i ts TYPE minmax GRANULARITY 1)\n"
                + "ENGINE = ReplacingMergeTree(inserted_at)\nPARTITION BY (dataset)\nORDER BY (dataset, ts)");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0)).startsWith("CREATE TABLE IF NOT EXISTS calls_local ON CLUSTER 'trawl'")
                .contains("INDEX i ts TYPE minmax")
                .contains("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/calls_local', '{replica}', inserted_at)")
                .endsWith("PARTITION BY (dataset)\nORDER BY (dataset, ts)");
        assertThat(calls.get(1)).isEqualTo("CREATE TABLE IF NOT EXISTS calls ON CLUSTER 'trawl' AS calls_local\n"
                + "ENGINE = Distributed('trawl', currentDatabase(), calls_local, sipHash64(dataset))");
    }

    @Test
    void aPlainMergeTreeWithoutParenthesesIsReplicatedToo() {
        List<String> audit = trawl.rewrite("CREATE TABLE IF NOT EXISTS audit\n(time DateTime64(3, 'UTC'), actor String)\nENGINE = MergeTree\nORDER BY (time, actor)");
        assertThat(audit.get(0)).contains("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/audit_local', '{replica}')\nORDER BY (time, actor)");
        assertThat(audit.get(1)).endsWith("Distributed('trawl', currentDatabase(), audit_local, rand())");
    }

    @Test
    void viewsDropsAndAltersRunOnEveryServerAndAltersReachTheLocalTable() {
        assertThat(trawl.rewrite("CREATE OR REPLACE VIEW grpc_calls AS SELECT 1 FROM calls"))
                .containsExactly("CREATE OR REPLACE VIEW grpc_calls ON CLUSTER 'trawl' AS SELECT 1 FROM calls");
        assertThat(trawl.rewrite("CREATE VIEW IF NOT EXISTS v AS SELECT 1")).containsExactly("CREATE VIEW IF NOT EXISTS v ON CLUSTER 'trawl' AS SELECT 1");
        assertThat(trawl.rewrite("DROP VIEW IF EXISTS v")).containsExactly("DROP VIEW IF EXISTS v ON CLUSTER 'trawl'");
        assertThat(trawl.rewrite("ALTER TABLE calls ADD COLUMN x UInt8")).containsExactly("ALTER TABLE calls_local ON CLUSTER 'trawl' ADD COLUMN x UInt8");
    }

    @Test
    void aStatementWithoutAClusterFormIsRefusedAndANameIsNeverPastedAsSql() {
        assertThatThrownBy(() -> trawl.rewrite("INSERT INTO calls VALUES (1)")).hasMessageContaining("no cluster form");
        assertThatThrownBy(() -> new ClusterDdl("x' SETTINGS a=1 --")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClickHouseSchema.cluster(Map.of("TRAWL_CLICKHOUSE_CLUSTER", "a b")::get)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ClickHouseSchema.cluster(Map.<String, String>of()::get)).isNull();
    }

    @Test
    void everyScriptHasAClusterFormAndTheLedgerIsClusterWide() {
        List<String> single = ClickHouseSchema.ddl(null);
        List<String> cluster = ClickHouseSchema.ddl("trawl");
        assertThat(single.getFirst()).contains("ENGINE = ReplacingMergeTree(applied_at)").doesNotContain("ON CLUSTER");
        assertThat(cluster.getFirst()).contains("ON CLUSTER 'trawl'")
                .contains("ReplicatedReplacingMergeTree('/clickhouse/tables/cluster-wide/{database}/schema_migrations', '{shard}-{replica}', applied_at)");
        assertThat(cluster).anyMatch(s -> s.startsWith("CREATE TABLE IF NOT EXISTS calls ON CLUSTER 'trawl' AS calls_local"));
        assertThat(cluster.stream().filter(s -> s.startsWith("CREATE") || s.startsWith("ALTER") || s.startsWith("DROP")))
                .allMatch(s -> s.contains("ON CLUSTER 'trawl'"));
        assertThat(single).noneMatch(s -> s.contains("ON CLUSTER") || s.contains("Replicated") || s.contains("Distributed"));
    }
}
