package dev.trawl.embedded.clickhouse;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ClickHouse in-process: chDB over a data directory behind the ClickHouse HTTP interface, so the
 * stock clickhouse-jdbc driver and any ClickHouse HTTP client talk to it unchanged. The local stack
 * serves it on 127.0.0.1:8123; tests take a free port.
 *
 * <p>The front also understands ClickHouse's block compression, but trawl's own URLs say
 * {@code compress=false}: on one machine compressing costs CPU and saves nothing.
 */
public final class EmbeddedClickHouse implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedClickHouse.class);
    private static EmbeddedClickHouse lastTestInstance;

    private final Chdb chdb;
    private final ClickHouseHttpFront front;
    private final String defaultPassword;
    private boolean closed;

    private EmbeddedClickHouse(Chdb chdb, ClickHouseHttpFront front, String defaultPassword) {
        this.chdb = chdb;
        this.front = front;
        this.defaultPassword = defaultPassword;
    }

    /**
     * Starts chDB on {@code dir} and its HTTP front on {@code host:port} (0: a free port), where
     * user {@code default} logs in with {@code defaultPassword}.
     */
    public static EmbeddedClickHouse start(Path dir, String host, int port, String defaultPassword) throws IOException {
        Chdb chdb = Chdb.open(dir);
        try {
            return new EmbeddedClickHouse(chdb, ClickHouseHttpFront.start(chdb, host, port, defaultPassword), defaultPassword);
        } catch (IOException | RuntimeException e) {
            chdb.close();
            throw e;
        }
    }

    /**
     * A ClickHouse for one test class on a free port, data under {@code dir}; {@link #url()} is its
     * http URL. chDB serves one data directory per process, so a test instance that an earlier test
     * left open is closed first (surefire runs test classes one after another). Its {@code default}
     * user has no password: it listens on loopback for the test's lifetime only.
     */
    public static synchronized EmbeddedClickHouse startForTest(Path dir) throws IOException {
        if (lastTestInstance != null && !lastTestInstance.closed
                && !lastTestInstance.chdb.path().equals(dir.toAbsolutePath().normalize())) {
            log.warn("closing the embedded ClickHouse on {} that an earlier test left open", lastTestInstance.chdb.path());
            lastTestInstance.close();
        }
        lastTestInstance = start(dir, "127.0.0.1", 0, "");
        return lastTestInstance;
    }

    /** The HTTP interface, e.g. {@code http://127.0.0.1:8123}: what {@code TRAWL_CLICKHOUSE_URL} holds. */
    public String url() {
        return front.url().toString();
    }

    public URI uri() {
        return front.url();
    }

    public int port() {
        return front.port();
    }

    /** A clickhouse-jdbc URL for the {@code default} database. */
    public String jdbcUrl() {
        return "jdbc:clickhouse://" + front.url().getHost() + ":" + front.port() + "/default?compress=false";
    }

    /** The engine itself, for in-process callers that do not need HTTP. */
    public Chdb engine() {
        return chdb;
    }

    /** The HTTP front (to add users such as a read-only analyst). */
    public ClickHouseHttpFront front() {
        return front;
    }

    /** The configuration names other components read (see the team's configuration contract). */
    public Map<String, String> toEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TRAWL_CLICKHOUSE_URL", url());
        env.put("TRAWL_CLICKHOUSE_USER", "default");
        env.put("TRAWL_CLICKHOUSE_PASSWORD", defaultPassword);
        return env;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            front.close();
        } finally {
            chdb.close();
        }
    }
}
