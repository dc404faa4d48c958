package dev.trawl.local.storage;

import dev.trawl.embedded.clickhouse.EmbeddedClickHouse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedClickHouseStorageTest extends ClickHouseStorageContract {
    @TempDir static Path dir;
    static EmbeddedClickHouse clickhouse;

    @BeforeAll
    static void start() throws Exception {
        clickhouse = EmbeddedClickHouse.startForTest(dir);
    }

    @AfterAll
    static void stop() {
        clickhouse.close();
    }

    @Override
    String httpUrl() {
        return clickhouse.url();
    }

    @Override
    String user() {
        return "default";
    }

    @Override
    String password() {
        return "";
    }
}
