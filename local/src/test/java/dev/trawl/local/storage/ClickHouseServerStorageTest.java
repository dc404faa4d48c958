package dev.trawl.local.storage;

import org.testcontainers.clickhouse.ClickHouseContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The same contract against a ClickHouse server in a container; skipped where there is no Docker. */
@Testcontainers(disabledWithoutDocker = true)
class ClickHouseServerStorageTest extends ClickHouseStorageContract {
    @Container
    static final ClickHouseContainer clickhouse = new ClickHouseContainer("clickhouse/clickhouse-server:25.8");

    @Override
    String httpUrl() {
        return clickhouse.getHttpUrl();
    }

    @Override
    String user() {
        return clickhouse.getUsername();
    }

    @Override
    String password() {
        return clickhouse.getPassword();
    }
}
