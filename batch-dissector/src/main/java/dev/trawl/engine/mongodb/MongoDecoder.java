package dev.trawl.engine.mongodb;

import dev.trawl.engine.FramedDecoder;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The MongoDB wire protocol on one TCP connection: OP_MSG and the legacy OP_QUERY/OP_REPLY
 * (and OP_COMPRESSED around them, noop or zlib), paired by requestID/responseTo. Messages are
 * read up to {@link #MAX_PARSED} bytes; the rest is skipped as it arrives. Contract of
 * {@link #onData}: it consumes what it can and leaves an incomplete prefix in the buffer.
 */
public final class MongoDecoder extends FramedDecoder {
    public static final int MAX_PARSED = 64 * 1024;
    /** MongoDB's own limit of a message (maxMessageSizeBytes). */
    public static final int MAX_MESSAGE = 48 * 1000 * 1000;
    public static final int MAX_PENDING = 4096;

    static final int OP_REPLY = 1, OP_UPDATE = 2001, OP_INSERT = 2002, OP_QUERY = 2004, OP_GET_MORE = 2005,
            OP_DELETE = 2006, OP_KILL_CURSORS = 2007, OP_COMPRESSED = 2012, OP_MSG = 2013;

    /** Commands whose value is the collection they act on. */
    private static final Set<String> COLLECTION_COMMANDS = Set.of("find", "insert", "update", "delete", "aggregate",
            "count", "distinct", "findAndModify", "findandmodify", "create", "drop", "createIndexes", "dropIndexes",
            "listIndexes", "collMod", "mapReduce", "getMore", "validate", "collStats", "bulkWrite");

    private record Request(String opCode, int requestId, String command, String database, String collection,
                           long size, long micros) {}

    private record Reply(Double ok, String errmsg, int code, String codeName) {}

    private final Consumer<MongoExchange> sink;
    private final Map<Integer, Request> pending = new LinkedHashMap<>();

    public MongoDecoder(Consumer<MongoExchange> sink) {
        super(16, 16, MAX_PARSED);
        this.sink = sink;
    }

    /** A message header with a known request opcode, a sane length and no responseTo. */
    public static boolean looksLikeRequest(ByteBuffer in) {
        if (in.remaining() < 16) {
            return false;
        }
        ByteBuffer le = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = le.position();
        int length = le.getInt(p);
        int opCode = le.getInt(p + 12);
        boolean known = opCode == OP_MSG || opCode == OP_QUERY || opCode == OP_COMPRESSED || opCode == OP_INSERT
                || opCode == OP_UPDATE || opCode == OP_DELETE || opCode == OP_GET_MORE || opCode == OP_KILL_CURSORS;
        return known && length >= 21 && length <= MAX_MESSAGE && le.getInt(p + 8) == 0;
    }

    /** The message header's length (little-endian, itself included), within MongoDB's limit. */
    @Override
    protected long frameLength(boolean fromClient, ByteBuffer in) {
        int length = in.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(in.position());
        return length < 16 || length > MAX_MESSAGE ? -1 : length;
    }

    /** A request's header, or a reply to a request still waiting. */
    @Override
    protected boolean startsFrame(boolean fromClient, ByteBuffer in) {
        ByteBuffer le = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p = in.position();
        return fromClient ? looksLikeRequest(in)
                : le.getInt(p) >= 16 && le.getInt(p) <= MAX_MESSAGE && pending.containsKey(le.getInt(p + 8));
    }

    @Override
    protected boolean frame(boolean fromClient, ByteBuffer message, long length, long micros) {
        message(message.order(ByteOrder.LITTLE_ENDIAN), (int) length, micros);
        return true;
    }

    private void message(ByteBuffer m, int length, long micros) {
        m.getInt();
        int requestId = m.getInt();
        int responseTo = m.getInt();
        int opCode = m.getInt();
        if (opCode == OP_COMPRESSED) {
            int original = m.getInt();
            int uncompressedSize = m.getInt();
            int compressor = m.get() & 0xff;
            ByteBuffer inner = decompress(compressor, m, uncompressedSize);
            if (inner == null) {
                dispatch(opCode, requestId, responseTo, null, length, micros);
                return;
            }
            dispatch(original, requestId, responseTo, inner.order(ByteOrder.LITTLE_ENDIAN), length, micros);
            return;
        }
        dispatch(opCode, requestId, responseTo, m, length, micros);
    }

    /** The body of a compressed message (noop or zlib, at most {@link #MAX_PARSED} bytes of it); null for snappy and zstd. */
    private static ByteBuffer decompress(int compressor, ByteBuffer m, int uncompressedSize) {
        if (compressor == 0) {
            return m.slice();
        }
        if (compressor != 2) {
            return null;
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(m);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            while (!inflater.finished() && out.size() < Math.min(uncompressedSize, MAX_PARSED)) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                out.write(chunk, 0, n);
            }
            return ByteBuffer.wrap(out.toByteArray());
        } catch (DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
    }

    private void dispatch(int opCode, int requestId, int responseTo, ByteBuffer body, int size, long micros) {
        if (opCode == OP_REPLY || (responseTo != 0 && opCode == OP_MSG) || (responseTo != 0 && body == null)) {
            Reply reply = body == null ? new Reply(null, "", 0, "")
                    : opCode == OP_REPLY ? opReply(body) : replyDocument(opMsgBody(body));
            reply(responseTo, reply, size, micros);
            return;
        }
        String database = "";
        String collection = "";
        String command = "";
        String name = opName(opCode);
        if (body != null) {
            switch (opCode) {
                case OP_MSG -> {
                    Map<String, Object> doc = opMsgBody(body);
                    if (!doc.isEmpty()) {
                        command = doc.keySet().iterator().next();
                        Object target = doc.get(command);
                        if (target instanceof String s && COLLECTION_COMMANDS.contains(command)) {
                            collection = s;
                        }
                        if (doc.get("$db") instanceof String db) {
                            database = db;
                        }
                    }
                }
                case OP_QUERY -> {
                    body.getInt();  // flags
                    String namespace = Bson.cstring(body, body.limit() - 1);
                    body.getInt();  // skip
                    body.getInt();  // return
                    Map<String, Object> query = Bson.document(body);
                    int dot = namespace.indexOf('.');
                    database = dot < 0 ? namespace : namespace.substring(0, dot);
                    String rest = dot < 0 ? "" : namespace.substring(dot + 1);
                    if (rest.equals("$cmd") && !query.isEmpty()) {
                        command = query.keySet().iterator().next();
                        if (query.get(command) instanceof String s && COLLECTION_COMMANDS.contains(command)) {
                            collection = s;
                        }
                    } else {
                        command = "query";
                        collection = rest;
                    }
                }
                case OP_INSERT, OP_UPDATE, OP_DELETE, OP_GET_MORE -> {
                    if (opCode != OP_INSERT) {
                        body.getInt();  // ZERO
                    } else {
                        body.getInt();  // flags
                    }
                    String namespace = Bson.cstring(body, body.limit() - 1);
                    int dot = namespace.indexOf('.');
                    database = dot < 0 ? namespace : namespace.substring(0, dot);
                    collection = dot < 0 ? "" : namespace.substring(dot + 1);
                    command = name.substring(3).toLowerCase(java.util.Locale.ROOT).replace("_", "");
                }
                default -> command = name;
            }
        }
        if (opCode == OP_INSERT || opCode == OP_UPDATE || opCode == OP_DELETE || opCode == OP_KILL_CURSORS) {
            // legacy writes are not answered
            sink.accept(new MongoExchange(name, requestId, command, database, collection, null, "", 0, "", size, 0,
                    micros, 0));
            return;
        }
        if (pending.size() >= MAX_PENDING) {
            Iterator<Request> it = pending.values().iterator();
            Request oldest = it.next();
            it.remove();
            emit(oldest, null, 0, 0);
        }
        pending.put(requestId, new Request(name, requestId, command, database, collection, size, micros));
    }

    /** OP_MSG: flags, then sections; the kind-0 section is the command (or reply) document. */
    private static Map<String, Object> opMsgBody(ByteBuffer body) {
        body.getInt();  // flag bits
        while (body.hasRemaining()) {
            int kind = body.get() & 0xff;
            if (kind == 0) {
                return Bson.document(body);
            }
            if (kind == 1) {
                int size = body.getInt(body.position());
                if (size < 4 || size > body.remaining()) {
                    break;
                }
                body.position(body.position() + size);
            } else {
                break;
            }
        }
        return Map.of();
    }

    private static Reply opReply(ByteBuffer body) {
        body.getInt();   // response flags
        body.getLong();  // cursor id
        body.getInt();   // starting from
        int returned = body.getInt();
        if (returned <= 0) {
            return new Reply(null, "", 0, "");
        }
        Map<String, Object> first = Bson.document(body);
        if (first.get("$err") instanceof String err) {
            return new Reply(0.0, err, first.get("code") instanceof Integer c ? c : 0, "");
        }
        return replyDocument(first);
    }

    private static Reply replyDocument(Map<String, Object> doc) {
        Double ok = switch (doc.get("ok")) {
            case Double d -> d;
            case Integer i -> i.doubleValue();
            case Long l -> l.doubleValue();
            case Boolean b -> b ? 1.0 : 0.0;
            case null, default -> null;
        };
        String errmsg = doc.get("errmsg") instanceof String s ? s : "";
        int code = doc.get("code") instanceof Integer c ? c : 0;
        String codeName = doc.get("codeName") instanceof String s ? s : "";
        if (errmsg.isEmpty() && doc.get("writeErrors") instanceof Bson.Nested errors) {
            // the first write error says what went wrong
            try {
                Map<String, Object> list = Bson.document(errors.bytes().duplicate());
                if (!list.isEmpty() && list.values().iterator().next() instanceof Bson.Nested first) {
                    Map<String, Object> e = Bson.document(first.bytes().duplicate());
                    errmsg = e.get("errmsg") instanceof String s ? s : "";
                    code = e.get("code") instanceof Integer c ? c : code;
                }
            } catch (BufferUnderflowException e) {
                errmsg = "write errors";
            }
        }
        return new Reply(ok, errmsg, code, codeName);
    }

    private void reply(int responseTo, Reply reply, long size, long micros) {
        Request r = pending.remove(responseTo);
        if (r == null) {
            // a reply to a request not captured
            sink.accept(new MongoExchange("", responseTo, "", "", "", reply.ok(), reply.errmsg(), reply.code(),
                    reply.codeName(), 0, size, 0, micros));
            return;
        }
        emit(r, reply, size, micros);
    }

    private void emit(Request r, Reply reply, long size, long micros) {
        sink.accept(new MongoExchange(r.opCode(), r.requestId(), r.command(), r.database(), r.collection(),
                reply == null ? null : reply.ok(), reply == null ? "" : reply.errmsg(),
                reply == null ? 0 : reply.code(), reply == null ? "" : reply.codeName(), r.size(), size, r.micros(),
                micros));
    }

    /** Requests still waiting come out unanswered. */
    public void close() {
        for (Request r : pending.values()) {
            emit(r, null, 0, 0);
        }
        pending.clear();
    }

    static String opName(int opCode) {
        return switch (opCode) {
            case OP_REPLY -> "OP_REPLY";
            case OP_UPDATE -> "OP_UPDATE";
            case OP_INSERT -> "OP_INSERT";
            case OP_QUERY -> "OP_QUERY";
            case OP_GET_MORE -> "OP_GET_MORE";
            case OP_DELETE -> "OP_DELETE";
            case OP_KILL_CURSORS -> "OP_KILL_CURSORS";
            case OP_COMPRESSED -> "OP_COMPRESSED";
            case OP_MSG -> "OP_MSG";
            default -> "OP_" + opCode;
        };
    }
}
