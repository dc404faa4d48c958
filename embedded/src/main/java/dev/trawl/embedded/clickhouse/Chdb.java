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
    private final BlockingQueue<ChdbConnection> idleReadonly;
    private final List<ChdbConnection> all = new ArrayList<>();
    private int readonlyCount;
    private int references = 1;
    private boolean closed;

    private Chdb(ChdbLibrary lib, Path path, int maxConnections) {
        this.lib = lib;
        this.path = path;
        this.maxConnections = maxConnections;
        this.idle = new ArrayBlockingQueue<>(maxConnections);
        this.idleReadonly = new ArrayBlockingQueue<>(maxConnections);
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
        return lease(false);
    }

    /**
     * A connection; with {@code readonly}, one opened with {@code readonly = 1}, on which the engine
     * itself refuses writes, DDL and table functions (file, url, s3, ...), and which cannot be
     * switched back.
     */
    public Lease lease(boolean readonly) {
        BlockingQueue<ChdbConnection> queue = readonly ? idleReadonly : idle;
        ChdbConnection c = queue.poll();
        if (c == null) {
            synchronized (all) {
                if (closed) throw new IllegalStateException("chDB engine on " + path + " is closed");
                int open = readonly ? readonlyCount : all.size() - readonlyCount;
                if (open < maxConnections) {
                    c = ChdbConnection.open(lib, path.toString(), readonly ? List.of("--readonly=1") : List.of());
                    all.add(c);
                    if (readonly) readonlyCount++;
                }
            }
        }
        try {
            while (c == null) {
                if (closed) throw new IllegalStateException("chDB engine on " + path + " is closed");
                c = queue.poll(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a chDB connection", e);
        }
        return new Lease(c, queue);
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
        private final BlockingQueue<ChdbConnection> home;
        private boolean returned;

        private Lease(ChdbConnection connection, BlockingQueue<ChdbConnection> home) {
            this.connection = connection;
            this.home = home;
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
            home.add(connection);
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
                while ((c = idleReadonly.poll()) != null) c.close();
            }
            current = null;
        }
    }
}
