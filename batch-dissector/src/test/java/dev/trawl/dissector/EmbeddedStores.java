package dev.trawl.dissector;

import com.clickhouse.client.api.Client;
import dev.trawl.core.clickhouse.ClickHouseSchema;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.embedded.EmbeddedS3;
import dev.trawl.embedded.clickhouse.EmbeddedClickHouse;
import java.nio.file.Path;
import software.amazon.awssdk.services.s3.S3Client;

/** The embedded S3 and ClickHouse (schema migrated) a job test runs against, with a client of each. */
record EmbeddedStores(EmbeddedS3 s3, EmbeddedClickHouse clickHouse, S3Client s3Client, Client client) implements AutoCloseable {
    static EmbeddedStores start(Path dir) throws Exception {
        var s3 = EmbeddedS3.startForTest(dir.resolve("s3"));
        var clickHouse = EmbeddedClickHouse.startForTest(dir.resolve("ch"));
        var client = ClickHouseSettings.from(clickHouse.toEnv()::get).client();
        ClickHouseSchema.migrate(client);
        return new EmbeddedStores(s3, clickHouse, s3.client(), client);
    }

    @Override
    public void close() throws Exception {
        client.close();
        s3Client.close();
        clickHouse.close();
        s3.close();
    }
}
