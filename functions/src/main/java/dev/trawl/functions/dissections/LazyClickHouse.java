package dev.trawl.functions.dissections;

import com.clickhouse.client.api.Client;
import dev.trawl.core.clickhouse.ClickHouseSchema;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import java.util.function.Function;

/**
 * The ClickHouse client of the dissection endpoints, made on first use (the schema migrated
 * then): the functions start, and the snapshot endpoints answer, while ClickHouse comes up.
 */
public final class LazyClickHouse implements AutoCloseable {
    private final ClickHouseSettings settings;
    private Client client;

    public LazyClickHouse(ClickHouseSettings settings) {
        this.settings = settings;
    }

    public synchronized <T> T with(Function<Client, T> query) {
        if (client == null) {
            Client c = settings.client();
            try {
                ClickHouseSchema.migrate(c);
            } catch (RuntimeException e) {
                c.close();
                throw e;
            }
            client = c;
        }
        return query.apply(client);
    }

    @Override
    public synchronized void close() {
        if (client != null) client.close();
    }
}
