package dev.trawl.embedded.clickhouse;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One chDB connection. It runs one statement at a time; {@link Chdb} pools several on the same
 * data path so that statements run in parallel. Not for concurrent use: borrow it from the pool.
 */
public final class ChdbConnection implements AutoCloseable {
    private final ChdbLibrary lib;
    private final MemorySegment handle; // chdb_connection *
    private final MemorySegment conn;   // chdb_connection
    private String database = "default";
    private final Map<String, String> settings = new java.util.HashMap<>();
    private boolean closed;

    private ChdbConnection(ChdbLibrary lib, MemorySegment handle) {
        this.lib = lib;
        this.handle = handle;
        this.conn = handle.reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);
    }

    /** Connects to the engine with its data under {@code path} (the engine serves one path per process). */
    static ChdbConnection open(ChdbLibrary lib, String path, List<String> settings) {
        try (Arena arena = Arena.ofConfined()) {
            List<String> args = new java.util.ArrayList<>();
            args.add("clickhouse");
            args.add("--path=" + path);
            args.addAll(settings);
            MemorySegment argv = arena.allocate(ADDRESS, args.size() + 1);
            for (int i = 0; i < args.size(); i++) argv.setAtIndex(ADDRESS, i, arena.allocateFrom(args.get(i)));
            argv.setAtIndex(ADDRESS, args.size(), MemorySegment.NULL);
            MemorySegment handle = (MemorySegment) lib.connect.invokeExact(args.size(), argv);
            if (handle.equals(MemorySegment.NULL)) {
                throw new ChdbException(ChdbException.UNKNOWN_EXCEPTION, "chDB refused to connect to " + path
                        + " (it serves one data path per process: is another path open?)");
            }
            return new ChdbConnection(lib, handle);
        } catch (ChdbException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("chdb_connect failed", t);
        }
    }

    /** The database unqualified names resolve in; switched with {@code USE} only when it changes. */
    public void useDatabase(String name) {
        if (name == null || name.isBlank() || name.equals(database)) return;
        query("USE " + Sql.quoteIdentifier(name), "TabSeparated", Map.of());
        database = name;
    }

    public String database() {
        return database;
    }

    /** Settings this connection has been SET to (the HTTP front resets them between requests). */
    public Map<String, String> settings() {
        return settings;
    }

    /** Runs a statement to completion and returns its whole output (for small results and DDL). */
    public ChdbResult query(String sql, String format, Map<String, String> params) {
        ensureOpen();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment result = call(arena, sql, format, params, false);
            try {
                ChdbResult r = lib.result(result);
                trackUse(sql);
                return r;
            } finally {
                lib.destroyQueryResult.invokeExact(result);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("chDB query failed", t);
        }
    }

    /** Starts a statement whose output is fetched in chunks: memory stays bounded for any result size. */
    public StreamingQuery stream(String sql, String format, Map<String, String> params) {
        ensureOpen();
        Arena arena = Arena.ofConfined();
        try {
            MemorySegment result = call(arena, sql, format, params, true);
            String error = ChdbLibrary.cString((MemorySegment) lib.resultError.invokeExact(result));
            if (error != null) {
                lib.destroyQueryResult.invokeExact(result);
                throw ChdbException.fromMessage(error);
            }
            trackUse(sql);
            return new StreamingQuery(result, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        } catch (Throwable t) {
            arena.close();
            throw new IllegalStateException("chDB streaming query failed", t);
        }
    }

    /**
     * Starts an INSERT whose data (in {@code format}) is pushed in chunks through chDB's
     * stream-insert API: binary data never passes through the SQL text.
     *
     * @param statement the INSERT without FORMAT clause or data, e.g. {@code INSERT INTO t (a, b)}
     */
    public InsertStream insert(String statement, String format, Map<String, String> params) {
        ensureOpen();
        Arena arena = Arena.ofConfined();
        try {
            MemorySegment q = arena.allocateFrom(statement);
            long qLen = q.byteSize() - 1;
            MemorySegment f = arena.allocateFrom(format);
            long fLen = f.byteSize() - 1;
            MemorySegment stream;
            if (params.isEmpty()) {
                stream = (MemorySegment) lib.streamInsert.invokeExact(conn, q, qLen, f, fLen);
            } else {
                Params p = Params.of(arena, params);
                stream = (MemorySegment) lib.streamInsertWithParams.invokeExact(conn, q, qLen, f, fLen,
                        p.names, p.nameLengths, p.values, p.valueLengths, (long) p.count);
            }
            String error = ChdbLibrary.cString((MemorySegment) lib.streamInsertError.invokeExact(stream));
            if (error != null) {
                lib.destroyInsertStream.invokeExact(stream);
                throw ChdbException.fromMessage(error);
            }
            return new InsertStream(stream, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        } catch (Throwable t) {
            arena.close();
            throw new IllegalStateException("chDB stream insert failed", t);
        }
    }

    private MemorySegment call(Arena arena, String sql, String format, Map<String, String> params, boolean streaming) throws Throwable {
        MemorySegment q = arena.allocateFrom(sql);
        long qLen = q.byteSize() - 1;
        MemorySegment f = arena.allocateFrom(format);
        long fLen = f.byteSize() - 1;
        if (params.isEmpty()) {
            return streaming
                    ? (MemorySegment) lib.streamQuery.invokeExact(conn, q, qLen, f, fLen)
                    : (MemorySegment) lib.query.invokeExact(conn, q, qLen, f, fLen);
        }
        Params p = Params.of(arena, params);
        return streaming
                ? (MemorySegment) lib.streamQueryWithParams.invokeExact(conn, q, qLen, f, fLen, p.names, p.nameLengths, p.values, p.valueLengths, (long) p.count)
                : (MemorySegment) lib.queryWithParams.invokeExact(conn, q, qLen, f, fLen, p.names, p.nameLengths, p.values, p.valueLengths, (long) p.count);
    }

    /** A {@code USE} in the statement itself moves this connection; remember where it is. */
    private void trackUse(String sql) {
        String s = sql.strip();
        if (s.length() > 4 && s.regionMatches(true, 0, "USE", 0, 3) && Character.isWhitespace(s.charAt(3))) {
            database = Sql.unquoteIdentifier(s.substring(4).strip().replaceAll(";\\s*$", ""));
        }
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("chDB connection is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            lib.closeConn.invokeExact(handle);
        } catch (Throwable t) {
            throw new IllegalStateException("chdb_close_conn failed", t);
        }
    }

    private record Params(MemorySegment names, MemorySegment nameLengths, MemorySegment values, MemorySegment valueLengths, int count) {
        static Params of(Arena arena, Map<String, String> params) {
            int n = params.size();
            MemorySegment names = arena.allocate(ADDRESS, n);
            MemorySegment nameLengths = arena.allocate(JAVA_LONG, n);
            MemorySegment values = arena.allocate(ADDRESS, n);
            MemorySegment valueLengths = arena.allocate(JAVA_LONG, n);
            int i = 0;
            for (var e : params.entrySet()) {
                byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
                byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
                names.setAtIndex(ADDRESS, i, arena.allocateFrom(JAVA_BYTE, k.length == 0 ? new byte[1] : k));
                nameLengths.setAtIndex(JAVA_LONG, i, k.length);
                values.setAtIndex(ADDRESS, i, arena.allocateFrom(JAVA_BYTE, v.length == 0 ? new byte[1] : v));
                valueLengths.setAtIndex(JAVA_LONG, i, v.length);
                i++;
            }
            return new Params(names, nameLengths, values, valueLengths, n);
        }
    }

    /** Output of a statement fetched chunk by chunk; close it to cancel what was not read. */
    public final class StreamingQuery implements AutoCloseable {
        private final MemorySegment stream;
        private final Arena arena;
        private boolean finished;
        private boolean closedStream;
        private long rowsRead;
        private long bytesRead;
        private double elapsed;

        private StreamingQuery(MemorySegment stream, Arena arena) {
            this.stream = stream;
            this.arena = arena;
        }

        /** The next chunk of output, or null at the end. */
        public byte[] next() {
            if (finished) return null;
            try {
                MemorySegment chunk = (MemorySegment) lib.streamFetchResult.invokeExact(conn, stream);
                try {
                    ChdbResult r = lib.result(chunk);
                    rowsRead += r.rowsRead();
                    bytesRead += r.bytesRead();
                    elapsed = Math.max(elapsed, r.elapsedSeconds());
                    if (r.data().length == 0) {
                        finished = true;
                        return null;
                    }
                    return r.data();
                } finally {
                    lib.destroyQueryResult.invokeExact(chunk);
                }
            } catch (ChdbException e) {
                finished = true;
                throw e;
            } catch (RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("chdb_stream_fetch_result failed", t);
            }
        }

        public long rowsRead() {
            return rowsRead;
        }

        public long bytesRead() {
            return bytesRead;
        }

        public double elapsedSeconds() {
            return elapsed;
        }

        @Override
        public void close() {
            if (closedStream) return;
            closedStream = true;
            try {
                if (!finished) lib.streamCancelQuery.invokeExact(conn, stream);
                lib.destroyQueryResult.invokeExact(stream);
            } catch (Throwable t) {
                throw new IllegalStateException("closing a chDB stream failed", t);
            } finally {
                arena.close();
            }
        }
    }

    /** An INSERT being fed; {@link #done()} commits, {@link #close()} without done cancels. */
    public final class InsertStream implements AutoCloseable {
        private static final int BUFFER = 1 << 20;
        private final MemorySegment stream;
        private final Arena arena;
        private final MemorySegment buffer;
        private boolean ended;
        private boolean closedStream;

        private InsertStream(MemorySegment stream, Arena arena) {
            this.stream = stream;
            this.arena = arena;
            this.buffer = arena.allocate(BUFFER);
        }

        /** Pushes bytes of the format-encoded data; chDB parses across chunk boundaries. */
        public void append(byte[] data, int offset, int length) {
            while (length > 0) {
                int n = Math.min(length, BUFFER);
                MemorySegment.copy(data, offset, buffer, JAVA_BYTE, 0, n);
                int state;
                try {
                    state = (int) lib.streamAppend.invokeExact(stream, buffer, (long) n);
                } catch (Throwable t) {
                    throw new IllegalStateException("chdb_stream_append failed", t);
                }
                if (state != 0) throw ChdbException.fromMessage(error("chdb_stream_append failed"));
                offset += n;
                length -= n;
            }
        }

        /** Ends the input and commits; returns rows and bytes written. */
        public ChdbResult done() {
            ended = true;
            try {
                MemorySegment result = (MemorySegment) lib.streamDone.invokeExact(stream);
                if (result.equals(MemorySegment.NULL)) throw ChdbException.fromMessage(error("chdb_stream_done failed"));
                try {
                    return lib.result(result);
                } finally {
                    lib.destroyQueryResult.invokeExact(result);
                }
            } catch (RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("chdb_stream_done failed", t);
            }
        }

        private String error(String fallback) {
            try {
                String e = ChdbLibrary.cString((MemorySegment) lib.streamInsertError.invokeExact(stream));
                return e == null ? fallback : e;
            } catch (Throwable t) {
                return fallback;
            }
        }

        @Override
        public void close() {
            if (closedStream) return;
            closedStream = true;
            try {
                if (!ended) lib.streamCancelInsert.invokeExact(stream);
                lib.destroyInsertStream.invokeExact(stream);
            } catch (Throwable t) {
                throw new IllegalStateException("closing a chDB insert stream failed", t);
            } finally {
                arena.close();
            }
        }
    }
}
