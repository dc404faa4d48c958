package dev.trawl.core.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ClickHouseSchemaScriptsTest {

    @Test
    void findsTheVersionedScriptsInOrder() {
        var migrations = ClickHouseSchema.migrations();
        assertThat(migrations).isNotEmpty();
        assertThat(migrations.getFirst().version()).isEqualTo(1);
        assertThat(migrations.getFirst().sql()).contains("CREATE TABLE IF NOT EXISTS calls");
        for (int i = 1; i < migrations.size(); i++) {
            assertThat(migrations.get(i).version()).isGreaterThan(migrations.get(i - 1).version());
        }
    }

    @Test
    void splitsAtStatementEndsOnly() {
        var statements = ClickHouseSchema.statements("""
                -- a comment; with a semicolon
                CREATE TABLE a (x String DEFAULT 'a;b') ENGINE = Memory;
                /* block; comment */
                CREATE VIEW v AS SELECT ';' AS s;

                """);
        assertThat(statements).hasSize(2);
        assertThat(statements.get(0)).startsWith("CREATE TABLE a").contains("'a;b'");
        assertThat(statements.get(1)).isEqualTo("CREATE VIEW v AS SELECT ';' AS s");
    }

    @Test
    void settingsComeFromTheLookupWithDefaults() {
        var s = ClickHouseSettings.from(Map.of("TRAWL_CLICKHOUSE_URL", "http://ch:8123", "TRAWL_CLICKHOUSE_PASSWORD", "pw")::get);
        assertThat(s.url().toString()).isEqualTo("http://ch:8123");
        assertThat(s.user()).isEqualTo("default");
        assertThat(s.database()).isEqualTo("default");
        assertThat(s.toString()).doesNotContain("pw");
        assertThatThrownBy(() -> ClickHouseSettings.from(Map.of("TRAWL_CLICKHOUSE_URL", "jdbc:ch://x")::get))
                .hasMessageContaining("http");
    }
}
