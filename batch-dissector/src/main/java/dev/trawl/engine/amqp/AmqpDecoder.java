package dev.trawl.engine.amqp;

import dev.trawl.engine.FramedDecoder;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * AMQP 0-9-1 on one TCP connection: the protocol header, then frames (method, content header,
 * body, heartbeat). A synchronous method waits for its answer from the other side on the same
 * channel; a close on that channel refuses it. Methods carrying content (publish, deliver,
 * return, get-ok) come out when their body is complete. Frames are read up to
 * {@link #MAX_PARSED} bytes and the rest skipped as it arrives. Contract of {@link #onData}: it
 * consumes what it can and leaves an incomplete prefix in the buffer.
 */
public final class AmqpDecoder extends FramedDecoder {
    public static final byte[] HEADER = {'A', 'M', 'Q', 'P', 0, 0, 9, 1};
    public static final int MAX_PARSED = 64 * 1024;
    public static final int MAX_FRAME = 16 * 1024 * 1024;
    public static final int MAX_PENDING = 4096;
    private static final int FRAME_END = 0xCE;

    private final class Method {
        final int channel;
        final int classId;
        final int methodId;
        final boolean fromClient;
        final Map<String, String> arguments;
        final long size;
        final long micros;
        String answer = "";
        int replyCode;
        String replyText = "";
        long responseSize;
        long responseMicros;
        ByteArrayOutputStream body;
        long bodySize = -1;
        long bodyReceived;

        Method(int channel, int classId, int methodId, boolean fromClient, Map<String, String> arguments, long size,
               long micros) {
            this.channel = channel;
            this.classId = classId;
            this.methodId = methodId;
            this.fromClient = fromClient;
            this.arguments = arguments;
            this.size = size;
            this.micros = micros;
        }
    }

    private final Consumer<AmqpExchange> sink;
    private final int bodyLimit;
    private final List<Method> pending = new ArrayList<>();
    private final Map<Integer, Method> contentClient = new HashMap<>();
    private final Map<Integer, Method> contentServer = new HashMap<>();
    private final boolean[] headerChecked = new boolean[2];

    public AmqpDecoder(int bodyLimit, Consumer<AmqpExchange> sink) {
        super(7, 12, 8 + MAX_PARSED);
        this.bodyLimit = bodyLimit;
        this.sink = sink;
    }

    /** The client's protocol header, or a prefix of it. */
    public static boolean startsWithHeader(ByteBuffer in) {
        int n = Math.min(in.remaining(), 5);
        for (int i = 0; i < n; i++) {
            if (in.get(in.position() + i) != HEADER[i]) {
                return false;
            }
        }
        return n > 0;
    }

    /** A method frame that ends with the frame-end octet where its size says: a connection already running. */
    public static boolean looksLikeMethodFrame(ByteBuffer in) {
        if (in.remaining() < 12) {
            return false;
        }
        int p = in.position();
        long size = in.getInt(p + 3) & 0xffffffffL;
        return in.get(p) == 1 && size >= 4 && size <= MAX_PARSED && in.remaining() >= 8 + size
                && (in.get(p + 7 + (int) size) & 0xff) == FRAME_END
                && AmqpMethods.known(in.getShort(p + 7) & 0xffff, in.getShort(p + 9) & 0xffff);
    }

    /** Bytes of one direction were lost: skip to the next method frame; content in progress comes out. */
    @Override
    public void gap(boolean fromClient) {
        super.gap(fromClient);
        Map<Integer, Method> content = fromClient ? contentClient : contentServer;
        for (Method m : content.values()) {
            emit(m);
        }
        content.clear();
    }

    @Override
    public void onData(boolean fromClient, ByteBuffer in, long micros) {
        int d = fromClient ? 0 : 1;
        if (!headerChecked[d]) {
            if (in.remaining() < HEADER.length && startsWithHeader(in)) {
                return;
            }
            headerChecked[d] = true;
            if (in.remaining() >= HEADER.length && startsWithHeader(in)) {
                in.position(in.position() + HEADER.length);
            }
        }
        super.onData(fromClient, in, micros);
    }

    /** Type, channel and size: a frame is the 7-byte header, the payload and the frame-end octet. */
    @Override
    protected long frameLength(boolean fromClient, ByteBuffer in) {
        int p = in.position();
        int type = in.get(p) & 0xff;
        long size = in.getInt(p + 3) & 0xffffffffL;
        return size > MAX_FRAME || (type != 1 && type != 2 && type != 3 && type != 8) ? -1 : 8 + size;
    }

    @Override
    protected boolean startsFrame(boolean fromClient, ByteBuffer in) {
        return looksLikeMethodFrame(in);
    }

    /** A whole frame must end with the frame-end octet; a longer one is read as far as it is kept. */
    @Override
    protected boolean frame(boolean fromClient, ByteBuffer frame, long length, long micros) {
        long size = length - 8;
        if (frame.remaining() == length && (frame.get((int) length - 1) & 0xff) != FRAME_END) {
            return false;
        }
        frame(fromClient, frame.get(0) & 0xff, frame.getShort(1) & 0xffff, frame.slice(7, (int) Math.min(size, MAX_PARSED)),
                length, micros);
        return true;
    }

    private void frame(boolean fromClient, int type, int channel, ByteBuffer payload, long size, long micros) {
        Map<Integer, Method> content = fromClient ? contentClient : contentServer;
        switch (type) {
            case 1 -> method(fromClient, channel, payload, size, micros, content);
            case 2 -> {
                Method m = content.get(channel);
                if (m != null) {
                    payload.getShort();  // class
                    payload.getShort();  // weight
                    m.bodySize = payload.getLong();
                    m.arguments.putAll(properties(payload));
                    if (m.bodySize <= 0) {
                        content.remove(channel);
                        emit(m);
                    }
                }
            }
            case 3 -> {
                Method m = content.get(channel);
                if (m != null) {
                    m.bodyReceived += size - 8;
                    if (m.body == null) {
                        m.body = new ByteArrayOutputStream();
                    }
                    int n = Math.min(payload.remaining(), bodyLimit - m.body.size());
                    if (n > 0) {
                        byte[] b = new byte[n];
                        payload.get(b);
                        m.body.write(b, 0, n);
                    }
                    if (m.bodySize >= 0 && m.bodyReceived >= m.bodySize) {
                        content.remove(channel);
                        emit(m);
                    }
                }
            }
            default -> {
                // heartbeat
            }
        }
    }

    private void method(boolean fromClient, int channel, ByteBuffer payload, long size, long micros,
                        Map<Integer, Method> content) {
        Method unfinished = content.remove(channel);
        if (unfinished != null) {
            emit(unfinished);  // its content was cut short
        }
        int classId = payload.getShort() & 0xffff;
        int methodId = payload.getShort() & 0xffff;
        Map<String, String> arguments = arguments(classId, methodId, payload);
        // an answer to a request of the other side on this channel?
        for (Iterator<Method> it = pending.iterator(); it.hasNext(); ) {
            Method r = it.next();
            if (r.channel == channel && r.fromClient != fromClient && r.classId == classId
                    && AmqpMethods.answers(classId, r.methodId, methodId)) {
                it.remove();
                r.answer = AmqpMethods.name(classId, methodId);
                r.responseSize = size;
                r.responseMicros = micros;
                arguments.forEach(r.arguments::putIfAbsent);
                if (AmqpMethods.carriesContent(classId, methodId)) {
                    content.put(channel, r);  // get-ok: the message follows
                } else {
                    emit(r);
                }
                return;
            }
        }
        boolean close = (classId == AmqpMethods.CHANNEL && methodId == 40)
                || (classId == AmqpMethods.CONNECTION && methodId == 50);
        if (close && !arguments.getOrDefault("reply-code", "200").equals("200")) {
            // the other side refuses the request in flight on this channel (or any, for the connection)
            for (Iterator<Method> it = pending.iterator(); it.hasNext(); ) {
                Method r = it.next();
                if (r.fromClient != fromClient && (r.channel == channel || classId == AmqpMethods.CONNECTION)) {
                    it.remove();
                    r.answer = AmqpMethods.name(classId, methodId);
                    r.replyCode = Integer.parseInt(arguments.get("reply-code"));
                    r.replyText = arguments.getOrDefault("reply-text", "");
                    r.responseSize = size;
                    r.responseMicros = micros;
                    emit(r);
                    break;
                }
            }
        }
        Method m = new Method(channel, classId, methodId, fromClient, arguments, size, micros);
        if (AmqpMethods.carriesContent(classId, methodId)) {
            content.put(channel, m);
        } else if (AmqpMethods.expectsAnswer(classId, methodId)) {
            if (pending.size() >= MAX_PENDING) {
                emit(pending.removeFirst());
            }
            pending.add(m);
        } else {
            emit(m);
        }
    }

    private static Map<String, String> arguments(int classId, int methodId, ByteBuffer p) {
        Map<String, String> a = new LinkedHashMap<>();
        switch (AmqpMethods.key(classId, methodId)) {
            case 0xa0028 -> a.put("virtual-host", shortstr(p));                  // connection.open
            case 0xa0032, 0x140028 -> {                                          // connection.close, channel.close
                a.put("reply-code", Integer.toString(p.getShort() & 0xffff));
                a.put("reply-text", shortstr(p));
                int failedClass = p.getShort() & 0xffff;
                int failedMethod = p.getShort() & 0xffff;
                if (failedClass != 0) {
                    a.put("failed-method", AmqpMethods.name(failedClass, failedMethod));
                }
            }
            case 0x28000a -> {                                                   // exchange.declare
                p.getShort();
                a.put("exchange", shortstr(p));
                a.put("type", shortstr(p));
            }
            case 0x280014 -> {                                                   // exchange.delete
                p.getShort();
                a.put("exchange", shortstr(p));
            }
            case 0x28001e, 0x280028 -> {                                         // exchange.bind, unbind
                p.getShort();
                a.put("destination", shortstr(p));
                a.put("exchange", shortstr(p));
                a.put("routing-key", shortstr(p));
            }
            case 0x32000a, 0x32001e, 0x320028 -> {                               // queue.declare, purge, delete
                p.getShort();
                a.put("queue", shortstr(p));
            }
            case 0x32000b -> {                                                   // queue.declare-ok
                a.put("queue", shortstr(p));
                a.put("message-count", Long.toString(p.getInt() & 0xffffffffL));
                a.put("consumer-count", Long.toString(p.getInt() & 0xffffffffL));
            }
            case 0x320014, 0x320032 -> {                                         // queue.bind, unbind
                p.getShort();
                a.put("queue", shortstr(p));
                a.put("exchange", shortstr(p));
                a.put("routing-key", shortstr(p));
            }
            case 0x3c0014 -> {                                                   // basic.consume
                p.getShort();
                a.put("queue", shortstr(p));
                a.put("consumer-tag", shortstr(p));
            }
            case 0x3c0015, 0x3c001e -> a.put("consumer-tag", shortstr(p));       // consume-ok, cancel
            case 0x3c0028 -> {                                                   // basic.publish
                p.getShort();
                a.put("exchange", shortstr(p));
                a.put("routing-key", shortstr(p));
            }
            case 0x3c0032 -> {                                                   // basic.return
                a.put("reply-code", Integer.toString(p.getShort() & 0xffff));
                a.put("reply-text", shortstr(p));
                a.put("exchange", shortstr(p));
                a.put("routing-key", shortstr(p));
            }
            case 0x3c003c -> {                                                   // basic.deliver
                a.put("consumer-tag", shortstr(p));
                a.put("delivery-tag", Long.toUnsignedString(p.getLong()));
                p.get();
                a.put("exchange", shortstr(p));
                a.put("routing-key", shortstr(p));
            }
            case 0x3c0046 -> {                                                   // basic.get
                p.getShort();
                a.put("queue", shortstr(p));
            }
            case 0x3c0047 -> {                                                   // basic.get-ok
                a.put("delivery-tag", Long.toUnsignedString(p.getLong()));
                p.get();
                a.put("exchange", shortstr(p));
                a.put("routing-key", shortstr(p));
                a.put("message-count", Long.toString(p.getInt() & 0xffffffffL));
            }
            case 0x3c0050, 0x3c0078, 0x3c005a -> a.put("delivery-tag", Long.toUnsignedString(p.getLong()));
            default -> {
            }
        }
        return a;
    }

    /** The content header's properties we show: content type and encoding, delivery mode, correlation and message ids. */
    private static Map<String, String> properties(ByteBuffer p) {
        Map<String, String> a = new LinkedHashMap<>();
        int flags = p.getShort() & 0xffff;
        if ((flags & 0x8000) != 0) {
            a.put("content-type", shortstr(p));
        }
        if ((flags & 0x4000) != 0) {
            a.put("content-encoding", shortstr(p));
        }
        if ((flags & 0x2000) != 0) {
            long length = p.getInt() & 0xffffffffL;     // headers table: skipped
            if (length > p.remaining()) {
                return a;
            }
            p.position(p.position() + (int) length);
        }
        if ((flags & 0x1000) != 0) {
            a.put("delivery-mode", Integer.toString(p.get()));
        }
        if ((flags & 0x0800) != 0) {
            p.get();                                     // priority
        }
        if ((flags & 0x0400) != 0) {
            a.put("correlation-id", shortstr(p));
        }
        if ((flags & 0x0200) != 0) {
            a.put("reply-to", shortstr(p));
        }
        if ((flags & 0x0100) != 0) {
            a.put("expiration", shortstr(p));
        }
        if ((flags & 0x0080) != 0) {
            a.put("message-id", shortstr(p));
        }
        return a;
    }

    private static String shortstr(ByteBuffer p) {
        int length = p.get() & 0xff;
        byte[] b = new byte[length];
        p.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private void emit(Method m) {
        byte[] body = m.body == null ? new byte[0] : m.body.toByteArray();
        sink.accept(new AmqpExchange(m.channel, AmqpMethods.name(m.classId, m.methodId), m.fromClient,
                Map.copyOf(m.arguments), AmqpMethods.expectsAnswer(m.classId, m.methodId), m.answer, m.replyCode,
                m.replyText, body, Math.max(0, m.bodySize), m.size + Math.max(0, m.bodyReceived), m.responseSize,
                m.micros, m.responseMicros));
    }

    /** Requests still waiting come out unanswered, content in progress as it is. */
    public void close() {
        for (Method m : contentClient.values()) {
            emit(m);
        }
        for (Method m : contentServer.values()) {
            emit(m);
        }
        for (Method m : pending) {
            emit(m);
        }
        contentClient.clear();
        contentServer.clear();
        pending.clear();
    }
}
