package dev.trawl.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.core.clickhouse.ClickHouseSchema;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The migration Job as the cluster runs it, against ClickHouse's HTTP interface (chDB behind trawl's front). */
class SchemaMigrationJobTest {
    @TempDir Path dir;

    @Test
    void createsTheDatabaseAppliesTheScriptsOnceAndReadsThePasswordFromAFile() throws Exception {
        try (EmbeddedClickHouse clickhouse = EmbeddedClickHouse.startForTest(dir.resolve("ch"))) {
            Path password = Files.writeString(dir.resolve("password"), "\n");
            Map<String, String> env = Map.of("TRAWL_CLICKHOUSE_URL", clickhouse.url(), "TRAWL_CLICKHOUSE_DATABASE", "trawl_job",
                    "TRAWL_CLICKHOUSE_PASSWORD_FILE", password.toString());
            assertThat(ClickHouseSchema.migrateDatabase(env::get)).hasSize(ClickHouseSchema.migrations().size());
            assertThat(ClickHouseSchema.migrateDatabase(env::get)).isEmpty();
            try (var client = ClickHouseSettings.from(env::get).client()) {
                assertThat(ClickHouseSchema.appliedVersions(client)).hasSize(ClickHouseSchema.migrations().size());
                // a Service starting on the migrated schema runs no DDL: a read-only login suffices
                client.execute("CREATE USER IF NOT EXISTS job_reader IDENTIFIED BY 'r' SETTINGS readonly = 1").get().close();
            }
            try (var reader = ClickHouseSettings.from(Map.of("TRAWL_CLICKHOUSE_URL", clickhouse.url(), "TRAWL_CLICKHOUSE_DATABASE", "trawl_job",
                    "TRAWL_CLICKHOUSE_USER", "job_reader", "TRAWL_CLICKHOUSE_PASSWORD", "r")::get).client()) {
                assertThat(ClickHouseSchema.migrate(reader, null)).isEmpty();
            }
        }
    }

    @Test
    void aPasswordFileThatCannotBeReadOrADatabaseNameThatIsNotANameStopsTheJob() {
        assertThatThrownBy(() -> ClickHouseSettings.from(Map.of("TRAWL_CLICKHOUSE_PASSWORD_FILE", dir.resolve("none").toString())::get))
                .hasMessageContaining("TRAWL_CLICKHOUSE_PASSWORD_FILE");
        assertThatThrownBy(() -> ClickHouseSchema.migrateDatabase(Map.of("TRAWL_CLICKHOUSE_DATABASE", "x; DROP TABLE y")::get))
                .hasMessageContaining("plain name");
    }
}
