package dev.trawl.engine.postgresql;

import dev.trawl.engine.Bytes;
import dev.trawl.engine.DecodingParser;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The PostgreSQL frontend/backend protocol (v3) on one TCP connection. The backend answers
 * frontend messages strictly in order, so each message that expects an answer waits in a
 * queue; an ErrorResponse in an extended-query batch makes the backend skip to the Sync.
 * Messages are read up to {@link #MAX_PARSED} bytes and the rest skipped as it arrives (a
 * DataRow of 1 GB costs nothing). Contract of {@link #onData}: it consumes what it can and
 * leaves an incomplete prefix in the buffer for the next call.
 */
public final class PgDecoder implements DecodingParser.StartTls {
    public static final int MAX_PARSED = 64 * 1024;
    /** PostgreSQL's own limit of one message (1 GB). */
    public static final int MAX_MESSAGE = 1 << 30;
    public static final int MAX_PENDING = 4096;
    public static final int MAX_STATEMENTS = 1024;
    /** Prepared statements' text is remembered this long. */
    public static final int STATEMENT_TEXT_LIMIT = 8 * 1024;

    static final int PROTOCOL_3 = 196608, SSL_REQUEST = 80877103, CANCEL_REQUEST = 80877102,
            GSSENC_REQUEST = 80877104;

    /** A frontend message the backend will answer. */
    private static final class Unit {
        final char type;            // 'Q', 'P', 'B', 'D', 'E', 'C', 'S' (Sync), '0' startup, 'F'
        final String sql;
        final String statement;
        final long size;
        final long micros;
        final Map<String, String> parameters;
        String tag = "";
        long rows;
        Map<Character, String> error = Map.of();
        long responseSize;
        long responseMicros;

        Unit(char type, String sql, String statement, long size, long micros, Map<String, String> parameters) {
            this.type = type;
            this.sql = sql;
            this.statement = statement;
            this.size = size;
            this.micros = micros;
            this.parameters = parameters;
        }
    }

    private final Consumer<PgExchange> sink;
    private final ArrayDeque<Unit> units = new ArrayDeque<>();
    private final Map<String, String> statements = new LinkedHashMap<>();
    private final Map<String, String> portals = new LinkedHashMap<>();
    private final long[] skip = new long[2];
    private final boolean[] resyncing = new boolean[2];
    private boolean untilReady;
    private boolean clientStartup = true;   // the next client message may be untyped (startup, SSLRequest)
    private boolean sslAnswerExpected;
    private boolean encrypted;
    private boolean discardEncrypted;
    private boolean broken;
    private long errors;

    public PgDecoder(Consumer<PgExchange> sink) {
        this.sink = sink;
    }

    /** A startup, SSLRequest, GSSENCRequest or CancelRequest: the only untyped messages. */
    public static boolean looksLikeStartup(ByteBuffer in) {
        if (in.remaining() < 8) {
            return false;
        }
        int length = in.getInt(in.position());
        int code = in.getInt(in.position() + 4);
        return switch (code) {
            case PROTOCOL_3 -> length > 8 && length < 10_000;
            case SSL_REQUEST, GSSENC_REQUEST -> length == 8;
            case CANCEL_REQUEST -> length == 16;
            default -> false;
        };
    }

    /** A simple Query or Parse whose text ends exactly where its length says: a connection already running. */
    public static boolean looksLikeQuery(ByteBuffer in) {
        if (in.remaining() < 6) {
            return false;
        }
        int p = in.position();
        byte type = in.get(p);
        int length = in.getInt(p + 1);
        if ((type != 'Q' && type != 'P') || length < 5 || length > MAX_PARSED || in.remaining() < 1 + length) {
            return false;
        }
        return in.get(p + length) == 0;
    }

    /**
     * True after the server accepted SSLRequest (or GSSENCRequest): {@link #onData} then leaves
     * every byte unconsumed, for a TLS parser to take over, until {@link #discardEncrypted()}.
     */
    public boolean encrypted() {
        return encrypted;
    }

    /** No one takes the encrypted rest: consume and drop it. */
    public void discardEncrypted() {
        discardEncrypted = true;
    }

    public long errors() {
        return errors;
    }

    /**
     * Bytes of one direction were lost. The calls waiting come out as they are (which answer
     * belongs to which is no longer known); the direction restarts at the next plausible
     * message, and the backend's answers are ignored until its next ReadyForQuery.
     */
    public void gap(boolean fromClient) {
        int d = fromClient ? 0 : 1;
        close();
        skip[d] = 0;
        resyncing[d] = true;
        untilReady = true;
        clientStartup = false;
    }

    private static final String FRONTEND_TYPES = "QPBEDCSHFXdcfp";
    private static final String BACKEND_TYPES = "RSKZTDCEN123nstIGHWdcAV";

    /** Skips to a type byte this side sends, followed by a length that fits. */
    private boolean resync(boolean fromClient, ByteBuffer in) {
        String types = fromClient ? FRONTEND_TYPES : BACKEND_TYPES;
        while (in.remaining() >= 5) {
            int p = in.position();
            int length = in.getInt(p + 1);
            if (types.indexOf(in.get(p)) >= 0 && length >= 4 && length <= MAX_PARSED) {
                int next = p + 1 + length;
                if (next >= in.limit() || types.indexOf(in.get(next)) >= 0) {
                    resyncing[fromClient ? 0 : 1] = false;
                    return true;
                }
            }
            in.position(p + 1);
        }
        return false;
    }

    public void onData(boolean fromClient, ByteBuffer in, long micros) {
        int d = fromClient ? 0 : 1;
        if (resyncing[d] && !resync(fromClient, in)) {
            return;
        }
        while (in.hasRemaining()) {
            if (encrypted && !discardEncrypted) {
                return; // TLS from here on: the bytes are for a TLS parser (see encrypted())
            }
            if (broken || encrypted) {
                in.position(in.limit());
                return;
            }
            if (skip[d] > 0) {
                skip[d] -= Bytes.skip(in, skip[d]);
                continue;
            }
            int p = in.position();
            if (!fromClient && sslAnswerExpected) {
                sslAnswerExpected = false;
                byte answer = in.get();
                Unit u = units.pollFirst();
                if (u != null) {
                    u.tag = answer == 'S' || answer == 'G' ? "encryption accepted" : "encryption refused";
                    u.responseSize = 1;
                    u.responseMicros = micros;
                    emit(u);
                }
                if (answer == 'S' || answer == 'G') {
                    encrypted = true;
                } else if (answer != 'N') {
                    errors++;
                    broken = true;
                }
                continue;
            }
            boolean untyped = fromClient && clientStartup && looksLikeStartup(in);
            int header = untyped ? 4 : 5;
            if (in.remaining() < header) {
                return;
            }
            char type = untyped ? '0' : (char) (in.get(p) & 0xff);
            int length = in.getInt(untyped ? p : p + 1);
            if (length < 4 || length > MAX_MESSAGE) {
                errors++;
                broken = true;
                continue;
            }
            int body = length - 4;
            int parsed = Math.min(body, MAX_PARSED);
            if (in.remaining() < header + parsed) {
                return;
            }
            ByteBuffer message = in.slice(p + header, parsed);
            in.position(p + header + parsed);
            skip[d] = body - parsed;
            long size = (long) header + body;
            try {
                if (fromClient) {
                    if (!untyped) {
                        clientStartup = false;
                    }
                    frontend(type, message, size, micros);
                } else {
                    backend(type, message, size, micros);
                }
            } catch (BufferUnderflowException | IllegalArgumentException e) {
                errors++;
            }
        }
    }

    private void frontend(char type, ByteBuffer m, long size, long micros) {
        switch (type) {
            case '0' -> startup(m, size, micros);
            case 'Q' -> queue(new Unit('Q', Bytes.cstring(m), "", size, micros, Map.of()));
            case 'P' -> {
                String name = Bytes.cstring(m);
                String sql = Bytes.cstring(m);
                if (statements.size() >= MAX_STATEMENTS && !statements.containsKey(name)) {
                    Iterator<String> it = statements.keySet().iterator();
                    it.next();
                    it.remove();
                }
                statements.put(name, sql.length() > STATEMENT_TEXT_LIMIT ? sql.substring(0, STATEMENT_TEXT_LIMIT) : sql);
                queue(new Unit('P', sql, name, size, micros, Map.of()));
            }
            case 'B' -> {
                String portal = Bytes.cstring(m);
                String statement = Bytes.cstring(m);
                if (portals.size() >= MAX_STATEMENTS && !portals.containsKey(portal)) {
                    Iterator<String> it = portals.keySet().iterator();
                    it.next();
                    it.remove();
                }
                portals.put(portal, statement);
                queue(new Unit('B', "", statement, size, micros, Map.of()));
            }
            case 'E' -> {
                String statement = portals.getOrDefault(Bytes.cstring(m), "");
                queue(new Unit('E', statements.getOrDefault(statement, ""), statement, size, micros, Map.of()));
            }
            case 'D', 'C' -> queue(new Unit(type, "", "", size, micros, Map.of()));
            case 'S' -> queue(new Unit('S', "", "", size, micros, Map.of()));
            case 'F' -> queue(new Unit('F', "", "", size, micros, Map.of()));
            default -> {
                // Flush, Terminate, password and SASL messages, COPY data: nothing to pair
            }
        }
    }

    private void startup(ByteBuffer m, long size, long micros) {
        int code = m.getInt();
        switch (code) {
            case SSL_REQUEST, GSSENC_REQUEST -> {
                sslAnswerExpected = true;
                queue(new Unit('s', "", "", size, micros, Map.of()));
            }
            case CANCEL_REQUEST -> emit(new Unit('c', "", "", size, micros, Map.of()));
            default -> {
                clientStartup = false;
                Map<String, String> parameters = new LinkedHashMap<>();
                parameters.put("protocol", (code >>> 16) + "." + (code & 0xffff));
                while (m.hasRemaining() && parameters.size() < 32) {
                    String key = Bytes.cstring(m);
                    if (key.isEmpty()) {
                        break;
                    }
                    parameters.put(key, Bytes.cstring(m));
                }
                queue(new Unit('0', "", "", size, micros, Map.copyOf(parameters)));
            }
        }
    }

    private void backend(char type, ByteBuffer m, long size, long micros) {
        if (untilReady) {
            if (type == 'Z') {
                untilReady = false; // the answers to what was lost end here; later ones pair again
            }
            return;
        }
        Unit u = units.peekFirst();
        if (u == null) {
            return; // NoticeResponse, ParameterStatus, NotificationResponse, or an answer to a message not captured
        }
        if (u.responseMicros == 0) {
            u.responseMicros = micros;
        }
        u.responseSize += size;
        switch (type) {
            case 'C' -> {
                u.tag = Bytes.cstring(m);
                if (u.type == 'E') {
                    done();
                }
            }
            case 'D' -> u.rows++;
            case 'I', 's' -> {
                if (u.type == 'E') {
                    done();
                }
            }
            case 'E' -> error(fields(m));
            case 'Z' -> {
                // ReadyForQuery ends a simple query, a Sync and the startup phase
                if (u.type == 'Q' || u.type == 'S' || u.type == '0' || u.type == 'F') {
                    done();
                }
            }
            case '1', '2', '3' -> {
                if (u.type == 'P' || u.type == 'B' || u.type == 'C') {
                    done();
                }
            }
            case 'T', 'n' -> {
                if (u.type == 'D') {
                    done();
                }
            }
            case 'V' -> {
                if (u.type == 'F') {
                    u.tag = "function result";
                }
            }
            default -> {
                // 't' ParameterDescription precedes T/n; R, S, K, N, A and COPY messages
            }
        }
    }

    /** The backend skips to the next Sync; the error belongs to the batch's Execute, if it has one. */
    private void error(Map<Character, String> fields) {
        Unit failed = units.peekFirst();
        if (failed.type == 'Q' || failed.type == '0' || failed.type == 'F' || failed.type == 'S') {
            failed.error = fields;
            if (failed.type == 'S') {
                done();
            }
            return;
        }
        Unit blamed = failed;
        for (Unit u : units) {
            if (u.type == 'S') {
                break;
            }
            if (u.type == 'E') {
                blamed = u;
                break;
            }
        }
        blamed.error = fields;
        if (blamed != failed) {
            blamed.responseMicros = failed.responseMicros;
            blamed.responseSize = failed.responseSize;
        }
        while (!units.isEmpty() && units.peekFirst().type != 'S') {
            Unit u = units.pollFirst();
            if (u == blamed) {
                emit(u);
            }
        }
    }

    private void done() {
        Unit u = units.pollFirst();
        if (u.type == 'Q' || u.type == 'E' || u.type == '0' || u.type == 's' || u.type == 'F') {
            emit(u);
        }
    }

    private void queue(Unit u) {
        if (units.size() >= MAX_PENDING) {
            emit(units.pollFirst());
        }
        units.addLast(u);
    }

    private void emit(Unit u) {
        String kind = switch (u.type) {
            case '0' -> "STARTUP";
            case 'Q' -> "QUERY";
            case 'E' -> "EXECUTE";
            case 'P' -> "PARSE";
            case 'B' -> "BIND";
            case 's' -> "SSL";
            case 'c' -> "CANCEL";
            case 'F' -> "FUNCTION";
            default -> String.valueOf(u.type);
        };
        sink.accept(new PgExchange(kind, u.sql, u.statement, u.tag, u.rows, u.error, u.parameters, u.size,
                u.responseSize, u.micros, u.responseMicros));
    }

    /** Calls still waiting come out unanswered, except protocol bookkeeping (Bind, Sync, ...). */
    public void close() {
        for (Unit u : units) {
            if (u.type == 'Q' || u.type == 'E' || u.type == '0' || u.type == 's' || u.type == 'F') {
                emit(u);
            }
        }
        units.clear();
    }

    private static Map<Character, String> fields(ByteBuffer m) {
        Map<Character, String> fields = new LinkedHashMap<>();
        while (m.hasRemaining()) {
            char code = (char) (m.get() & 0xff);
            if (code == 0) {
                break;
            }
            fields.put(code, Bytes.cstring(m));
        }
        return Map.copyOf(fields);
    }
}
