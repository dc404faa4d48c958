package dev.trawl.engine.mysql;

import dev.trawl.engine.Bytes;
import dev.trawl.engine.DecodingParser;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The MySQL client/server protocol on one TCP connection: the handshake, then commands each
 * answered by OK, ERR or a result set. A client packet with sequence id 0 starts a new
 * command, which also closes whatever the previous one was still receiving. The compressed
 * protocol (CLIENT_COMPRESS) is unwrapped per direction, inflating in small steps. Packets
 * are read up to {@link #MAX_PARSED} bytes and the rest skipped as it arrives. Contract of
 * {@link #onData}: it consumes what it can and leaves an incomplete prefix in the buffer.
 */
public final class MySqlDecoder implements DecodingParser.StartTls {
    public static final int MAX_PARSED = 64 * 1024;
    public static final int MAX_STATEMENTS = 1024;
    /** Prepared statements' text is remembered this long. */
    public static final int STATEMENT_TEXT_LIMIT = 8 * 1024;

    static final int CLIENT_CONNECT_WITH_DB = 0x8, CLIENT_COMPRESS = 0x20, CLIENT_PROTOCOL_41 = 0x200,
            CLIENT_SSL = 0x800, CLIENT_SECURE_CONNECTION = 0x8000, CLIENT_PLUGIN_AUTH_LENENC = 0x200000,
            CLIENT_DEPRECATE_EOF = 0x1000000, CLIENT_QUERY_ATTRIBUTES = 0x8000000;
    private static final int SERVER_MORE_RESULTS_EXISTS = 0x8;

    private static final String[] COMMANDS = {
        "SLEEP", "QUIT", "INIT_DB", "QUERY", "FIELD_LIST", "CREATE_DB", "DROP_DB", "REFRESH", "SHUTDOWN",
        "STATISTICS", "PROCESS_INFO", "CONNECT", "PROCESS_KILL", "DEBUG", "PING", "TIME", "DELAYED_INSERT",
        "CHANGE_USER", "BINLOG_DUMP", "TABLE_DUMP", "CONNECT_OUT", "REGISTER_SLAVE", "STMT_PREPARE",
        "STMT_EXECUTE", "STMT_SEND_LONG_DATA", "STMT_CLOSE", "STMT_RESET", "SET_OPTION", "STMT_FETCH",
        "DAEMON", "BINLOG_DUMP_GTID", "RESET_CONNECTION"};

    private enum Phase { START, AUTH, COMMAND, ENCRYPTED, BROKEN }
    private enum Reading { FIRST, COLUMNS, COLUMNS_EOF, ROWS, PREPARE_DEFS, DONE }

    private final class Call {
        final String command;
        final String sql;
        final String database;
        final long size;
        final long micros;
        String result = "";
        int errorCode;
        String sqlState = "";
        String errorMessage = "";
        long affectedRows;
        long rows;
        int columns;
        long responseSize;
        long responseMicros;
        Reading reading = Reading.FIRST;
        long remaining;
        long preparedId = -1;
        boolean prepare;

        Call(String command, String sql, String database, long size, long micros) {
            this.command = command;
            this.sql = sql;
            this.database = database;
            this.size = size;
            this.micros = micros;
            this.prepare = command.equals("STMT_PREPARE");
        }
    }

    /** Per direction: packet framing, and the compressed-protocol wrapping when in use. */
    private static final class Side {
        long skip;
        boolean compressed;
        long compressedSkip;
        final Inflater inflater = new Inflater();
        ByteBuffer inner = ByteBuffer.allocate(1024);   // unwrapped bytes not yet framed as packets
        // a packet's payload continues in the next packet when its length is 0xffffff
        boolean continuation;
    }

    private final Consumer<MySqlExchange> sink;
    private final Side client = new Side();
    private final Side server = new Side();
    private final Map<Long, String> statements = new LinkedHashMap<>();
    private Phase phase = Phase.START;
    private boolean clientResync;
    private boolean discardEncrypted;
    private boolean serverLost;   // server bytes are dropped until the client's next command
    private int capabilities = CLIENT_PROTOCOL_41;
    private Call call;
    private Call handshake;
    private String serverVersion = "";
    private long errors;

    public MySqlDecoder(Consumer<MySqlExchange> sink) {
        this.sink = sink;
    }

    /** The server's greeting: protocol version 10 and a printable version string. */
    public static boolean looksLikeGreeting(ByteBuffer in) {
        if (in.remaining() < 8) {
            return false;
        }
        int p = in.position();
        int length = (in.get(p) & 0xff) | (in.get(p + 1) & 0xff) << 8 | (in.get(p + 2) & 0xff) << 16;
        return length > 20 && length < 1024 && in.get(p + 3) == 0 && in.get(p + 4) == 10
                && Character.isDigit(in.get(p + 5));
    }

    /** A client's COM_QUERY or COM_STMT_PREPARE whose length matches: a connection already running. */
    public static boolean looksLikeQuery(ByteBuffer in) {
        if (in.remaining() < 6) {
            return false;
        }
        int p = in.position();
        int length = (in.get(p) & 0xff) | (in.get(p + 1) & 0xff) << 8 | (in.get(p + 2) & 0xff) << 16;
        int command = in.get(p + 4);
        if (in.get(p + 3) == 0 && (command == 3 || command == 0x16) && length == in.remaining() - 4) {
            return true;
        }
        // compressed protocol: a 7-byte header around an uncompressed query packet
        int compressed = length;
        int uncompressed = (in.get(p + 4) & 0xff) | (in.get(p + 5) & 0xff) << 8 | (in.get(p + 6) & 0xff) << 16;
        if (in.remaining() < 12 || compressed != in.remaining() - 7 || in.get(p + 3) != 0) {
            return false;
        }
        if (uncompressed == 0) {
            int inner = (in.get(p + 7) & 0xff) | (in.get(p + 8) & 0xff) << 8 | (in.get(p + 9) & 0xff) << 16;
            return inner == compressed - 4 && in.get(p + 10) == 0 && (in.get(p + 11) == 3 || in.get(p + 11) == 0x16);
        }
        return in.get(p + 7) == 0x78;
    }

    public long errors() {
        return errors;
    }

    /**
     * True after the client asked for TLS (CLIENT_SSL): {@link #onData} then leaves every byte
     * unconsumed, for a TLS parser to take over, until {@link #discardEncrypted()}.
     */
    public boolean encrypted() {
        return phase == Phase.ENCRYPTED;
    }

    /** No one takes the encrypted rest: consume and drop it. */
    public void discardEncrypted() {
        discardEncrypted = true;
    }

    /**
     * Bytes of one direction were lost. The command in progress comes out as it is; the client
     * side restarts at the next plausible command, the server side at the first bytes after
     * that command.
     */
    public void gap(boolean fromClient) {
        finish();
        Side side = fromClient ? client : server;
        side.skip = 0;
        side.continuation = false;
        side.inner.clear();
        if (fromClient) {
            clientResync = true;
        }
        serverLost = true;
        if (phase == Phase.BROKEN || phase == Phase.AUTH || phase == Phase.START) {
            phase = Phase.COMMAND;
        }
    }

    /** Skips to a packet with sequence 0 and a known command byte that ends where the bytes end. */
    private boolean resyncClient(ByteBuffer in) {
        while (in.remaining() >= 5) {
            int p = in.position();
            int length = (in.get(p) & 0xff) | (in.get(p + 1) & 0xff) << 8 | (in.get(p + 2) & 0xff) << 16;
            int command = in.get(p + 4) & 0xff;
            if (in.get(p + 3) == 0 && command > 0 && command < COMMANDS.length && length == in.remaining() - 4) {
                clientResync = false;
                return true;
            }
            in.position(p + 1);
        }
        return false;
    }

    public void onData(boolean fromClient, ByteBuffer in, long micros) {
        if (fromClient && clientResync && !client.compressed && !resyncClient(in)) {
            return;
        }
        if (!fromClient && serverLost) {
            in.position(in.limit());
            return;
        }
        if (phase == Phase.START && fromClient && looksLikeQuery(in)) {
            phase = Phase.COMMAND;
            int p = in.position();
            int length = (in.get(p) & 0xff) | (in.get(p + 1) & 0xff) << 8 | (in.get(p + 2) & 0xff) << 16;
            if (length != in.remaining() - 4) {
                client.compressed = true;
                server.compressed = true;
            }
        }
        Side side = fromClient ? client : server;
        if (!side.compressed) {
            packets(side, fromClient, in, micros);
            return;
        }
        while (in.hasRemaining() && phase != Phase.BROKEN && phase != Phase.ENCRYPTED) {
            if (in.remaining() < 7) {
                return;
            }
            int p = in.position();
            int length = (in.get(p) & 0xff) | (in.get(p + 1) & 0xff) << 8 | (in.get(p + 2) & 0xff) << 16;
            int uncompressed = (in.get(p + 4) & 0xff) | (in.get(p + 5) & 0xff) << 8 | (in.get(p + 6) & 0xff) << 16;
            if (in.remaining() < 7 + length) {
                if (7 + length <= MAX_PARSED) {
                    return;
                }
                // too large to hold: the inner packets of this one are lost, framing resumes after it
                errors++;
                in.position(in.limit());
                phase = Phase.BROKEN;
                return;
            }
            ByteBuffer payload = in.slice(p + 7, length);
            in.position(p + 7 + length);
            if (uncompressed == 0) {
                unwrap(side, fromClient, payload, micros);
            } else {
                inflate(side, fromClient, payload, micros);
            }
        }
    }

    private void inflate(Side side, boolean fromClient, ByteBuffer payload, long micros) {
        side.inflater.reset();
        side.inflater.setInput(payload);
        byte[] chunk = new byte[8192];
        try {
            while (!side.inflater.finished()) {
                int n = side.inflater.inflate(chunk);
                if (n == 0 && (side.inflater.needsInput() || side.inflater.needsDictionary())) {
                    break;
                }
                unwrap(side, fromClient, ByteBuffer.wrap(chunk, 0, n), micros);
            }
        } catch (DataFormatException e) {
            errors++;
            phase = Phase.BROKEN;
        }
    }

    /** Appends unwrapped bytes to the direction's inner buffer and frames what is complete. */
    private void unwrap(Side side, boolean fromClient, ByteBuffer bytes, long micros) {
        if (side.inner.remaining() < bytes.remaining()) {
            int need = side.inner.position() + bytes.remaining();
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(need, side.inner.capacity() * 2));
            side.inner.flip();
            bigger.put(side.inner);
            side.inner = bigger;
        }
        side.inner.put(bytes);
        side.inner.flip();
        packets(side, fromClient, side.inner, micros);
        side.inner.compact();
        if (side.inner.capacity() > 4 * MAX_PARSED && side.inner.position() < MAX_PARSED) {
            ByteBuffer smaller = ByteBuffer.allocate(MAX_PARSED);
            side.inner.flip();
            smaller.put(side.inner);
            side.inner = smaller;
        }
    }

    private void packets(Side side, boolean fromClient, ByteBuffer in, long micros) {
        while (in.hasRemaining()) {
            if (phase == Phase.ENCRYPTED && !discardEncrypted) {
                return; // TLS from here on: the bytes are for a TLS parser (see encrypted())
            }
            if (phase == Phase.BROKEN || phase == Phase.ENCRYPTED) {
                in.position(in.limit());
                return;
            }
            if (side.skip > 0) {
                side.skip -= Bytes.skip(in, side.skip);
                continue;
            }
            if (in.remaining() < 4) {
                return;
            }
            int p = in.position();
            int length = (in.get(p) & 0xff) | (in.get(p + 1) & 0xff) << 8 | (in.get(p + 2) & 0xff) << 16;
            int sequence = in.get(p + 3) & 0xff;
            int parsed = Math.min(length, MAX_PARSED);
            if (in.remaining() < 4 + parsed) {
                return;
            }
            ByteBuffer payload = in.slice(p + 4, parsed);
            in.position(p + 4 + parsed);
            side.skip = length - parsed;
            boolean continuation = side.continuation;
            side.continuation = length == 0xffffff;
            if (continuation) {
                if (call != null) {
                    if (fromClient) {
                        continue;
                    }
                    call.responseSize += 4 + length;
                }
                continue;
            }
            try {
                if (fromClient) {
                    clientPacket(payload, sequence, 4L + length, micros);
                } else {
                    serverPacket(payload, sequence, 4L + length, micros);
                }
            } catch (RuntimeException e) {
                // a packet shorter than its fields: count it, keep the framing
                errors++;
            }
        }
    }

    private void clientPacket(ByteBuffer m, int sequence, long size, long micros) {
        m.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        if (phase == Phase.AUTH && handshake != null && handshake.size == 0) {
            handshakeResponse(m, size, micros);
            return;
        }
        if (phase == Phase.AUTH || sequence != 0 || !m.hasRemaining()) {
            return; // auth continuation, or a packet that is not a command's start
        }
        phase = Phase.COMMAND;
        finish();
        if (serverLost) {
            serverLost = false;
            server.skip = 0;
            server.continuation = false;
            server.inner.clear();
        }
        int command = m.get() & 0xff;
        String name = command < COMMANDS.length ? COMMANDS[command] : "0x" + Integer.toHexString(command);
        String sql = "";
        switch (command) {
            case 0x02, 0x16 -> sql = rest(m);         // INIT_DB, STMT_PREPARE
            case 0x03 -> {
                long attributes = 0;
                if ((capabilities & CLIENT_QUERY_ATTRIBUTES) != 0) {
                    // query attributes come first; with none, only their two counts
                    attributes = lenenc(m);
                    lenenc(m);
                }
                // with attributes, their typed values precede the text: not located, left empty
                sql = attributes == 0 ? rest(m) : "";
            }
            case 0x17 -> {
                long id = m.getInt() & 0xffffffffL;
                sql = statements.getOrDefault(id, "");
            }
            case 0x19, 0x18 -> {
                // STMT_CLOSE and STMT_SEND_LONG_DATA are not answered
                if (command == 0x19 && m.remaining() >= 4) {
                    statements.remove(m.getInt() & 0xffffffffL);
                }
                return;
            }
            default -> {
            }
        }
        call = new Call(name, sql, "", size, micros);
        if (command == 0x01) {
            emit(call);  // QUIT: the server closes the connection
            call = null;
        }
    }

    private void handshakeResponse(ByteBuffer m, long size, long micros) {
        ByteBuffer le = m.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int caps = le.getInt();
        if ((caps & CLIENT_PROTOCOL_41) == 0) {
            capabilities = caps & 0xffff;
            handshake = new Call("HANDSHAKE", "", "", size, micros);
            return;
        }
        capabilities &= caps;
        le.getInt();   // max packet size
        le.get();      // charset
        le.position(le.position() + 23);
        if (!le.hasRemaining() && (caps & CLIENT_SSL) != 0) {
            phase = Phase.ENCRYPTED;
            handshake = new Call("HANDSHAKE", "", "", size, micros);
            handshake.result = "TLS";
            handshake.responseMicros = micros;
            emit(handshake);
            handshake = null;
            return;
        }
        String user = Bytes.cstring(le);
        int authLength;
        if ((caps & CLIENT_PLUGIN_AUTH_LENENC) != 0) {
            authLength = (int) lenenc(le);
        } else if ((caps & CLIENT_SECURE_CONNECTION) != 0) {
            authLength = le.get() & 0xff;
        } else {
            authLength = -1;
            Bytes.cstring(le);
        }
        if (authLength > 0) {
            le.position(Math.min(le.limit(), le.position() + authLength));
        }
        String database = (caps & CLIENT_CONNECT_WITH_DB) != 0 && le.hasRemaining() ? Bytes.cstring(le) : "";
        handshake = new Call("HANDSHAKE", user, database, size, micros);
    }

    private void serverPacket(ByteBuffer m, int sequence, long size, long micros) {
        if (!m.hasRemaining()) {
            return;
        }
        int first = m.get(m.position()) & 0xff;
        if (phase == Phase.START) {
            if (first == 10 && sequence == 0) {
                greeting(m);
                phase = Phase.AUTH;
                handshake = new Call("HANDSHAKE", "", "", 0, micros);
                return;
            }
            phase = Phase.COMMAND;
        }
        if (phase == Phase.AUTH) {
            if (handshake != null && handshake.size > 0 && (first == 0x00 || first == 0xff)) {
                handshake.responseMicros = micros;
                handshake.responseSize += size;
                status(handshake, m);
                emit(handshake);
                handshake = null;
                phase = first == 0x00 ? Phase.COMMAND : Phase.BROKEN;
                if (first == 0x00 && (capabilities & CLIENT_COMPRESS) != 0) {
                    client.compressed = true;
                    server.compressed = true;
                }
            } else if (handshake != null) {
                handshake.responseSize += size;
            }
            return;
        }
        Call c = call;
        if (c == null || c.reading == Reading.DONE) {
            return; // an answer to a command not captured
        }
        if (c.responseMicros == 0) {
            c.responseMicros = micros;
        }
        c.responseSize += size;
        switch (c.reading) {
            case FIRST -> {
                if (first == 0x00 || first == 0xff || (first == 0xfe && m.remaining() < 9)) {
                    status(c, m);
                } else if (first == 0xfb) {
                    c.result = "LOCAL_INFILE";
                    c.reading = Reading.DONE;
                } else {
                    c.result = "RESULTSET";
                    c.columns = (int) Math.min(Integer.MAX_VALUE, lenenc(m));
                    c.remaining = c.columns;
                    c.reading = Reading.COLUMNS;
                }
            }
            case COLUMNS -> {
                if (--c.remaining == 0) {
                    c.reading = (capabilities & CLIENT_DEPRECATE_EOF) != 0 ? Reading.ROWS : Reading.COLUMNS_EOF;
                }
            }
            case COLUMNS_EOF -> c.reading = Reading.ROWS;
            case ROWS -> {
                if (first == 0xff) {
                    status(c, m);
                } else if (first == 0xfe && (m.remaining() < 9
                        || ((capabilities & CLIENT_DEPRECATE_EOF) != 0 && m.remaining() < 0xffffff))) {
                    int flags = eofStatus(m);
                    c.reading = (flags & SERVER_MORE_RESULTS_EXISTS) != 0 ? Reading.FIRST : Reading.DONE;
                } else {
                    c.rows++;
                }
            }
            case PREPARE_DEFS -> {
                if (--c.remaining <= 0) {
                    c.reading = Reading.DONE;
                }
            }
            default -> {
            }
        }
        if (c.reading == Reading.DONE) {
            finish();
        }
    }

    private void greeting(ByteBuffer m) {
        ByteBuffer le = m.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        le.get();
        serverVersion = Bytes.cstring(le);
        le.getInt();                          // connection id
        le.position(le.position() + 9);       // auth data part 1 and a filler
        int caps = le.getShort() & 0xffff;
        if (le.remaining() >= 5) {
            le.get();                         // charset
            le.getShort();                    // status
            caps |= (le.getShort() & 0xffff) << 16;
        }
        capabilities = caps;
    }

    /** Reads an OK, ERR or EOF packet into the call and decides whether more follows. */
    private void status(Call c, ByteBuffer m) {
        ByteBuffer le = m.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int first = le.get() & 0xff;
        switch (first) {
            case 0x00 -> {
                c.result = "OK";
                if (c.prepare) {
                    long id = le.getInt() & 0xffffffffL;
                    int columns = le.getShort() & 0xffff;
                    int params = le.getShort() & 0xffff;
                    remember(id, c.sql);
                    c.columns = columns;
                    boolean eof = (capabilities & CLIENT_DEPRECATE_EOF) == 0;
                    c.remaining = columns + params + (eof && columns > 0 ? 1 : 0) + (eof && params > 0 ? 1 : 0);
                    c.reading = c.remaining > 0 ? Reading.PREPARE_DEFS : Reading.DONE;
                    return;
                }
                c.affectedRows = lenenc(le);
                lenenc(le);                   // last insert id
                int flags = le.remaining() >= 2 ? le.getShort() & 0xffff : 0;
                c.reading = (flags & SERVER_MORE_RESULTS_EXISTS) != 0 ? Reading.FIRST : Reading.DONE;
            }
            case 0xff -> {
                c.result = "ERR";
                c.errorCode = le.getShort() & 0xffff;
                if (le.hasRemaining() && le.get(le.position()) == '#' && le.remaining() >= 6) {
                    le.get();
                    byte[] state = new byte[5];
                    le.get(state);
                    c.sqlState = new String(state, StandardCharsets.US_ASCII);
                }
                c.errorMessage = rest(le);
                c.reading = Reading.DONE;
            }
            default -> {
                c.result = "EOF";
                int flags = eofStatus(m);
                c.reading = (flags & SERVER_MORE_RESULTS_EXISTS) != 0 ? Reading.FIRST : Reading.DONE;
            }
        }
    }

    private static int eofStatus(ByteBuffer m) {
        ByteBuffer le = m.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        le.position(0);
        if (le.remaining() >= 5 && le.remaining() < 9) {
            return le.getShort(3) & 0xffff;   // 0xfe, warnings, status
        }
        return 0;
    }

    private void remember(long id, String sql) {
        if (statements.size() >= MAX_STATEMENTS) {
            Iterator<Long> it = statements.keySet().iterator();
            it.next();
            it.remove();
        }
        statements.put(id, sql.length() > STATEMENT_TEXT_LIMIT ? sql.substring(0, STATEMENT_TEXT_LIMIT) : sql);
    }

    private void finish() {
        if (call != null) {
            emit(call);
            call = null;
        }
    }

    private void emit(Call c) {
        sink.accept(new MySqlExchange(c.command, c.sql, c.database, c.result, c.errorCode, c.sqlState,
                c.errorMessage, c.affectedRows, c.rows, c.columns, c.size, c.responseSize, c.micros,
                c.responseMicros));
    }

    /** The command still waiting comes out, unanswered or with the part of its answer seen. */
    public void close() {
        finish();
        if (handshake != null && handshake.size > 0) {
            emit(handshake);
        }
        handshake = null;
        client.inflater.end();
        server.inflater.end();
    }

    public String serverVersion() {
        return serverVersion;
    }

    static long lenenc(ByteBuffer le) {
        int first = le.get() & 0xff;
        return switch (first) {
            case 0xfc -> le.getShort() & 0xffff;
            case 0xfd -> (le.get() & 0xff) | (le.get() & 0xff) << 8 | (le.get() & 0xff) << 16;
            case 0xfe -> le.getLong();
            default -> first;
        };
    }

    private static String rest(ByteBuffer m) {
        byte[] b = new byte[m.remaining()];
        m.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
