package dev.trawl.functions.clickhouse;

import com.clickhouse.client.api.Client;
import dev.trawl.core.clickhouse.ClickHouseSchema;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The functions' one ClickHouse client, made on first use with the schema migrated then, so the
 * functions start, and the snapshot endpoints answer, while ClickHouse comes up. Only making it
 * is serialised: queries run side by side on the client (client-v2's is thread-safe, with its own
 * connection pool). Making it is tried a few times with a growing pause, and a failure is not
 * kept: the next request tries again.
 */
public final class SharedClickHouse implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedClickHouse.class);

    private final Supplier<Client> connect;
    private final int attempts;
    private final Duration pause;
    private volatile Client client;
    private boolean closed;

    public SharedClickHouse(ClickHouseSettings settings) {
        this(settings::client, 3, Duration.ofMillis(250));
    }

    SharedClickHouse(Supplier<Client> connect, int attempts, Duration pause) {
        this.connect = connect;
        this.attempts = attempts;
        this.pause = pause;
    }

    /** Runs {@code query} on the shared client; other queries run at the same time. */
    public <T> T with(Function<Client, T> query) {
        return query.apply(client());
    }

    private Client client() {
        Client made = client;
        if (made != null) return made;
        synchronized (this) {
            if (closed) throw new IllegalStateException("the ClickHouse client is closed");
            if (client == null) client = connected();
            return client;
        }
    }

    private Client connected() {
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            Client c = null;
            try {
                c = connect.get();
                ClickHouseSchema.migrate(c);
                return c;
            } catch (RuntimeException e) {
                if (c != null) c.close();
                failure = e;
                log.warn("ClickHouse not ready (attempt {} of {}): {}", attempt, attempts, e.getMessage());
                if (attempt < attempts) {
                    try {
                        Thread.sleep(pause.multipliedBy(attempt));
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
        throw failure;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) client.close();
        client = null;
    }
}
