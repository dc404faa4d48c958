package dev.trawl.engine.kafka;

import dev.trawl.engine.FramedDecoder;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Kafka on one TCP connection: size-prefixed requests and responses, paired by correlation id.
 * Only the first {@link #MAX_PARSED} bytes of a message are read (header and topic names come
 * first); the rest, record batches included, is skipped as it arrives, so the caller never
 * holds more than that. Contract of {@link #onData}: it consumes what it can and leaves an
 * incomplete prefix in the buffer for the next call.
 */
public final class KafkaDecoder extends FramedDecoder {
    public static final int MAX_PARSED = 64 * 1024;
    /** Kafka's own default limit of a request (socket.request.max.bytes). */
    public static final int MAX_MESSAGE = 100 * 1024 * 1024;
    public static final int MAX_PENDING = 4096;
    private static final int MAX_TOPICS = 32;

    private record Pending(int apiKey, int version, int correlationId, String clientId, List<String> topics,
                           long size, long micros) {}

    private final Consumer<KafkaExchange> sink;
    private final Map<Integer, Pending> pending = new LinkedHashMap<>();

    public KafkaDecoder(Consumer<KafkaExchange> sink) {
        super(4, 14, 4 + MAX_PARSED);
        this.sink = sink;
    }

    /**
     * True when a client's first bytes are a plausible Kafka request header: a size that fits,
     * a known api key at a version Kafka has, a non-negative correlation id and a short
     * printable client id, or none (-1).
     */
    public static boolean looksLikeRequest(ByteBuffer in) {
        if (in.remaining() < 14) {
            return false;
        }
        int p = in.position();
        int size = in.getInt(p);
        int apiKey = in.getShort(p + 4);
        int version = in.getShort(p + 6);
        int correlationId = in.getInt(p + 8);
        int clientIdLength = in.getShort(p + 12);
        if (size < 10 || size > MAX_MESSAGE || apiKey < 0 || apiKey >= KafkaApis.count() || version < 0 || version > 17
                || correlationId < 0 || clientIdLength < -1 || clientIdLength > 256 || clientIdLength > size - 10) {
            return false;
        }
        for (int i = 0; i < clientIdLength && p + 14 + i < in.limit(); i++) {
            int c = in.get(p + 14 + i) & 0xff;
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** The size before each message, within Kafka's own limit. */
    @Override
    protected long frameLength(boolean fromClient, ByteBuffer in) {
        int size = in.getInt(in.position());
        return size < 4 || size > MAX_MESSAGE ? -1 : 4L + size;
    }

    /** A size that cannot be Kafka's leaves no message start to find before the next gap. */
    @Override
    protected boolean resyncsAfterBadHeader() {
        return false;
    }

    @Override
    protected boolean frame(boolean fromClient, ByteBuffer frame, long length, long micros) {
        ByteBuffer message = frame.slice(4, frame.remaining() - 4);
        if (fromClient) {
            request(message, (int) length - 4, micros);
        } else {
            response(message, (int) length - 4, micros);
        }
        return true;
    }

    private void request(ByteBuffer m, int size, long micros) {
        if (m.remaining() < 8) {
            malformed();
            return;
        }
        int apiKey = m.getShort();
        int version = m.getShort();
        int correlationId = m.getInt();
        String clientId = null;
        List<String> topics = List.of();
        try {
            if (!(apiKey == KafkaApis.CONTROLLED_SHUTDOWN && version == 0)) {
                KafkaReader header = new KafkaReader(m, KafkaApis.requestHeaderV2(apiKey, version));
                clientId = header.classicString();
                header.taggedFields();
            }
            topics = topics(apiKey, version, new KafkaReader(m, KafkaApis.flexible(apiKey, version)));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            // the body was cut at MAX_PARSED or is damaged: keep what was read
        }
        if (pending.size() >= MAX_PENDING) {
            Iterator<Pending> it = pending.values().iterator();
            Pending oldest = it.next();
            it.remove();
            emit(oldest, 0, 0, -1);
        }
        pending.put(correlationId, new Pending(apiKey, version, correlationId, clientId == null ? "" : clientId,
                topics, 4L + size, micros));
    }

    private static List<String> topics(int apiKey, int version, KafkaReader r) {
        List<String> topics = new ArrayList<>();
        switch (apiKey) {
            case KafkaApis.PRODUCE -> {
                if (version >= 3) {
                    r.string(); // transactional id
                }
                r.int16();      // acks
                r.int32();      // timeout
                if (version >= 13) {
                    return topics; // topics are named by id from v13 on
                }
                int n = r.arrayLength();
                for (int i = 0; i < n && topics.size() < MAX_TOPICS; i++) {
                    topics.add(r.string());
                    skipProducePartitions(r);
                }
            }
            case KafkaApis.FETCH -> {
                if (version <= 14) {
                    r.int32();  // replica id
                }
                r.int32();      // max wait
                r.int32();      // min bytes
                if (version >= 3) {
                    r.int32();  // max bytes
                }
                if (version >= 4) {
                    r.skip(1);  // isolation level
                }
                if (version >= 7) {
                    r.int32();  // session id
                    r.int32();  // session epoch
                }
                if (version >= 13) {
                    return topics;
                }
                int n = r.arrayLength();
                if (n > 0) {
                    topics.add(r.string()); // the partitions that follow differ by version; one name is enough
                }
            }
            case KafkaApis.METADATA -> {
                int n = r.arrayLength();
                for (int i = 0; i < n && topics.size() < MAX_TOPICS; i++) {
                    if (version >= 10) {
                        r.skip(16); // topic id
                    }
                    String name = r.string();
                    if (name != null) {
                        topics.add(name);
                    }
                    r.taggedFields();
                }
            }
            default -> {
                // other APIs name topics too, but deep in version-specific layouts
            }
        }
        return topics;
    }

    private static void skipProducePartitions(KafkaReader r) {
        int partitions = r.arrayLength();
        for (int j = 0; j < partitions; j++) {
            r.int32();                          // partition index
            int records = r.bytesLength();
            if (records > 0) {
                r.skip(records);
            }
            r.taggedFields();
        }
        r.taggedFields();
    }

    private void response(ByteBuffer m, int size, long micros) {
        if (m.remaining() < 4) {
            malformed();
            return;
        }
        int correlationId = m.getInt();
        Pending p = pending.remove(correlationId);
        if (p == null) {
            // a response to a request not captured
            sink.accept(new KafkaExchange(-1, -1, correlationId, "", List.of(), -1, 0, 4L + size, micros, micros));
            return;
        }
        int error = -1;
        try {
            KafkaReader r = new KafkaReader(m, KafkaApis.flexible(p.apiKey, p.version));
            if (KafkaApis.responseHeaderV1(p.apiKey, p.version)) {
                r.taggedFields();
            }
            error = errorCode(p.apiKey, p.version, r);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            error = -1;
        }
        emit(p, 4L + size, micros, error);
    }

    /** The response's top-level error code, for the APIs that have one at a fixed place. */
    private static int errorCode(int apiKey, int version, KafkaReader r) {
        switch (apiKey) {
            case KafkaApis.API_VERSIONS:
                return r.int16();
            case KafkaApis.FETCH:
                if (version >= 7) {
                    r.int32(); // throttle time
                    return r.int16();
                }
                return -1;
            case 10, 12, 13, 14: // FindCoordinator, Heartbeat, LeaveGroup, SyncGroup
                if (version >= 1) {
                    r.int32();
                }
                return apiKey == 10 && version >= 4 ? -1 : r.int16();
            case 11: // JoinGroup
                if (version >= 2) {
                    r.int32();
                }
                return r.int16();
            case KafkaApis.PRODUCE: {
                int topics = r.arrayLength();
                if (topics <= 0) {
                    return -1;
                }
                r.string();
                int partitions = r.arrayLength();
                if (partitions <= 0) {
                    return -1;
                }
                r.int32();
                return r.int16();
            }
            default:
                return -1;
        }
    }

    private void emit(Pending p, long responseSize, long responseMicros, int error) {
        sink.accept(new KafkaExchange(p.apiKey, p.version, p.correlationId, p.clientId, p.topics, error, p.size,
                responseSize, p.micros, responseMicros));
    }

    /** After lost bytes, a message starts with a request header, or a response carrying a correlation id still waiting. */
    @Override
    protected boolean startsFrame(boolean fromClient, ByteBuffer in) {
        int p = in.position();
        int size = in.getInt(p);
        return fromClient ? looksLikeRequest(in) : size >= 4 && size <= MAX_MESSAGE && pending.containsKey(in.getInt(p + 4));
    }

    /** Requests still waiting come out unanswered. */
    public void close() {
        for (Pending p : pending.values()) {
            emit(p, 0, 0, -1);
        }
        pending.clear();
    }
}
