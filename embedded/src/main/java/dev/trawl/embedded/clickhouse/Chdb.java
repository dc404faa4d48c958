package dev.trawl.embedded.clickhouse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The chDB engine over one data directory, with a small pool of connections so that statements run
 * in parallel (one connection runs one statement at a time).
 *
 * <p>chDB serves a single data path per process. Opening the path that is already open shares the
 * engine (each {@link #open} is matched by a {@link #close}); opening another path while one is
 * open is refused with a message that says so.
 */
public final class Chdb implements AutoCloseable {
    public static final int DEFAULT_CONNECTIONS = 4;
    private static final Object LOCK = new Object();
    private static Chdb current;

    private final ChdbLibrary lib;
    private final Path path;
    private final int maxConnections;
    private final BlockingQueue<ChdbConnection> idle;
    private final List<ChdbConnection> all = new ArrayList<>();
    private int references = 1;
    private boolean closed;

    private Chdb(ChdbLibrary lib, Path path, int maxConnections) {
        this.lib = lib;
        this.path = path;
        this.maxConnections = maxConnections;
        this.idle = new ArrayBlockingQueue<>(maxConnections);
    }

    /** Opens (or shares) the engine on {@code dataDir}; the first connection is made before this returns. */
    public static Chdb open(Path dataDir, int connections) {
        Path path = dataDir.toAbsolutePath().normalize();
        synchronized (LOCK) {
            if (current != null) {
                if (current.path.equals(path)) {
                    current.references++;
                    return current;
                }
                throw new IllegalStateException("chDB serves one data directory per process: " + current.path
                        + " is open, so " + path + " cannot be; close the other EmbeddedClickHouse first");
            }
            try {
                Files.createDirectories(path);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot create " + path, e);
            }
            Chdb chdb = new Chdb(ChdbLibrary.get(), path, Math.max(1, connections));
            ChdbConnection first = ChdbConnection.open(chdb.lib, path.toString(), List.of());
            chdb.all.add(first);
            chdb.idle.add(first);
            current = chdb;
            return chdb;
        }
    }

    public static Chdb open(Path dataDir) {
        return open(dataDir, DEFAULT_CONNECTIONS);
    }

    public Path path() {
        return path;
    }

    public String version() {
        return lib.version();
    }

    /** A connection for the caller's exclusive use until the lease is closed. */
    public Lease lease() {
        ChdbConnection c = idle.poll();
        if (c == null) {
            synchronized (all) {
                if (closed) throw new IllegalStateException("chDB engine on " + path + " is closed");
                if (all.size() < maxConnections) {
                    c = ChdbConnection.open(lib, path.toString(), List.of());
                    all.add(c);
                }
            }
        }
        try {
            while (c == null) {
                if (closed) throw new IllegalStateException("chDB engine on " + path + " is closed");
                c = idle.poll(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a chDB connection", e);
        }
        return new Lease(c);
    }

    /** Runs {@code work} on a pooled connection. */
    public <T> T withConnection(Function<ChdbConnection, T> work) {
        try (Lease lease = lease()) {
            return work.apply(lease.connection());
        }
    }

    /** One statement in the default database, output as TabSeparated text. */
    public ChdbResult query(String sql) {
        return query(sql, "TabSeparated");
    }

    public ChdbResult query(String sql, String format) {
        return withConnection(c -> {
            c.useDatabase("default");
            return c.query(sql, format, Map.of());
        });
    }

    /** A borrowed connection; closing returns it to the pool. */
    public final class Lease implements AutoCloseable {
        private final ChdbConnection connection;
        private boolean returned;

        private Lease(ChdbConnection connection) {
            this.connection = connection;
        }

        public ChdbConnection connection() {
            return connection;
        }

        @Override
        public void close() {
            if (returned) return;
            returned = true;
            synchronized (all) {
                if (closed) {
                    connection.close();
                    return;
                }
            }
            idle.add(connection);
        }
    }

    /** Releases this reference; the last one closes every connection, freeing the path for another. */
    @Override
    public void close() {
        synchronized (LOCK) {
            if (closed) return;
            if (--references > 0) return;
            synchronized (all) {
                closed = true;
                // connections still leased are closed when their lease ends
                ChdbConnection c;
                while ((c = idle.poll()) != null) c.close();
            }
            current = null;
        }
    }
}
