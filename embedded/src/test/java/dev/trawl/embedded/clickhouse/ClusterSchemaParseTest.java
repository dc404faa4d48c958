package dev.trawl.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.core.clickhouse.ClickHouseSchema;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ./trawl schema --cluster trawl} prints is ClickHouse DDL that ClickHouse's own
 * parser takes ({@code EXPLAIN AST}: chDB parses, no cluster is needed), and the single-node DDL
 * applies as it is.
 */
class ClusterSchemaParseTest {
    @TempDir static Path dir;
    static Chdb chdb;

    @BeforeAll
    static void open() {
        chdb = Chdb.open(dir.resolve("ch"));
    }

    @AfterAll
    static void close() {
        chdb.close();
    }

    @Test
    void everyStatementOfTheClusterFormParses() {
        List<String> ddl = ClickHouseSchema.ddl("trawl");
        assertThat(ddl).hasSizeGreaterThan(ClickHouseSchema.migrations().size());
        for (String statement : ddl) {
            String ast = chdb.query("EXPLAIN AST " + statement).text();
            assertThat(ast).as(statement).isNotBlank();
            if (statement.startsWith("CREATE")) assertThat(ast).as(statement).contains("Create");
        }
    }

    @Test
    void theParserWouldCatchABrokenStatement() {
        assertThatThrownBy(() -> chdb.query("EXPLAIN AST CREATE TABLE t ON CLUSTER 'trawl' AS x ENGINE = Distributed('trawl', currentDatabase(), x, sipHash64(dataset)").text())
                .hasMessageContaining("Syntax error");
    }

    @Test
    void theSingleNodeFormAppliesAsItIs() {
        chdb.query("CREATE DATABASE IF NOT EXISTS single");
        for (String statement : ClickHouseSchema.ddl(null)) chdb.query("USE single; " + statement);
        assertThat(chdb.query("SELECT count() FROM single.schema_migrations").text().strip())
                .isEqualTo(String.valueOf(ClickHouseSchema.migrations().size()));
    }
}
