package dev.trawl.engine.http2;

import dev.trawl.engine.DecodingParser;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The HTTP/2 state of one TCP connection, fed the ordered bytes of each direction.
 *
 * <p>Contract of {@link #onData}: it consumes whole frames and leaves the bytes of an
 * incomplete frame in the buffer (its position marks them) for the caller to present again
 * with more; a DATA frame larger than {@link #MAX_BUFFERED_FRAME} is consumed as it comes, so
 * no caller ever holds more than that per direction. Streams come out through the sink when
 * both sides ended them, when reset, or at {@link #close}.
 */
public final class Http2Decoder implements DecodingParser.Decoder {
    public static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Frames up to this size (header included) are decoded whole; larger DATA is streamed. */
    public static final int MAX_BUFFERED_FRAME = 64 * 1024 + 9;
    /** Streams kept open at once; past it the oldest comes out unfinished. */
    public static final int MAX_OPEN_STREAMS = 256;

    static final int DATA = 0, HEADERS = 1, PRIORITY = 2, RST_STREAM = 3, SETTINGS = 4,
            PUSH_PROMISE = 5, PING = 6, GOAWAY = 7, WINDOW_UPDATE = 8, CONTINUATION = 9;
    static final int END_STREAM = 0x1, END_HEADERS = 0x4, PADDED = 0x8, PRIORITY_FLAG = 0x20;

    private final Consumer<Http2Exchange> sink;
    private final int bodyLimit;
    private final Side client = new Side(true);
    private final Side server = new Side(false);
    private final Map<Integer, Stream> streams = new LinkedHashMap<>();
    private long frames;
    private long errors;

    public Http2Decoder(int bodyLimit, Consumer<Http2Exchange> sink) {
        this.bodyLimit = bodyLimit;
        this.sink = sink;
    }

    /** True when the bytes begin with the client connection preface (or a prefix of it). */
    public static boolean startsWithPreface(ByteBuffer in) {
        int n = Math.min(in.remaining(), PREFACE.length);
        if (n < 4) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (in.get(in.position() + i) != PREFACE[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchesPreface(ByteBuffer in) {
        int n = Math.min(in.remaining(), PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (in.get(in.position() + i) != PREFACE[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when the bytes look like HTTP/2 frames of a connection whose start was not
     * captured: a SETTINGS, HEADERS, WINDOW_UPDATE or DATA frame header with sane fields.
     */
    public static boolean looksLikeFrames(ByteBuffer in) {
        if (in.remaining() < 9) {
            return false;
        }
        int p = in.position();
        int length = ((in.get(p) & 0xff) << 16) | ((in.get(p + 1) & 0xff) << 8) | (in.get(p + 2) & 0xff);
        int type = in.get(p + 3) & 0xff;
        int flags = in.get(p + 4) & 0xff;
        int stream = in.getInt(p + 5);
        if (length > 16384 || stream < 0) {
            return false;
        }
        return switch (type) {
            case SETTINGS -> stream == 0 && length % 6 == 0 && (flags & ~1) == 0;
            case HEADERS -> stream > 0 && (stream & 1) == 1 && (flags & ~0x2d) == 0 && length > 0;
            case WINDOW_UPDATE -> length == 4 && flags == 0;
            default -> false;
        };
    }

    /**
     * The connection was upgraded from HTTP/1.1 ({@code Upgrade: h2c}): stream 1 is that
     * request, already complete; its response comes in HTTP/2 frames.
     */
    public void upgradedFrom(List<Header> requestHeaders, long requestSize, long micros) {
        Stream s = stream(1, micros);
        s.requestHeaders = requestHeaders;
        s.requestSize = requestSize;
        s.requestMicros = micros;
        s.requestEnded = true;
        s.upgraded = true;
        client.prefaceExpected = true;
    }

    /**
     * Bytes of one direction were never captured: its frame boundaries are gone, and so may be
     * header blocks its HPACK table needed. Streams already open still come out at close.
     */
    public void gap(boolean fromClient) {
        Side side = fromClient ? client : server;
        side.lost = true;
        errors++;
    }

    public void onData(boolean fromClient, ByteBuffer in, long micros) {
        Side side = fromClient ? client : server;
        if (side.lost) {
            in.position(in.limit());
            return;
        }
        if (fromClient && side.prefaceExpected) {
            if (!in.hasRemaining() || (in.remaining() < PREFACE.length && matchesPreface(in))) {
                return;
            }
            if (matchesPreface(in)) {
                in.position(in.position() + PREFACE.length);
            }
            side.prefaceExpected = false;
        }
        while (in.hasRemaining()) {
            if (side.streaming > 0) {
                int n = Math.min(side.streaming, in.remaining());
                ByteBuffer slice = in.slice(in.position(), n);
                in.position(in.position() + n);
                side.streaming -= n;
                Stream s = streams.get(side.streamingId);
                if (s != null) {
                    s.append(fromClient, slice, bodyLimit);
                    if (side.streaming == 0 && side.streamingEnd) {
                        end(s, fromClient, micros);
                    }
                }
                continue;
            }
            if (in.remaining() < 9) {
                return;
            }
            int p = in.position();
            int length = ((in.get(p) & 0xff) << 16) | ((in.get(p + 1) & 0xff) << 8) | (in.get(p + 2) & 0xff);
            int type = in.get(p + 3) & 0xff;
            int flags = in.get(p + 4) & 0xff;
            int streamId = in.getInt(p + 5) & 0x7fffffff;
            if (type > CONTINUATION + 16 || (type == CONTINUATION && side.continuing == 0 && streamId == 0)) {
                // not a frame boundary: the bytes are not HTTP/2 or we lost our place
                errors++;
                side.lost = true;
                in.position(in.limit());
                return;
            }
            if (9 + length > MAX_BUFFERED_FRAME) {
                in.position(p + 9);
                frames++;
                Stream s = type == DATA ? streams.get(streamId) : null;
                if (s != null) {
                    s.touch(fromClient, micros);
                    side.streaming = length;
                    side.streamingId = streamId;
                    side.streamingEnd = (flags & END_STREAM) != 0;
                } else {
                    if (type == HEADERS || type == CONTINUATION || type == PUSH_PROMISE) {
                        side.hpackBroken = "header block over " + MAX_BUFFERED_FRAME + " bytes";
                    }
                    side.streaming = length;
                    side.streamingId = -1;
                }
                continue;
            }
            if (in.remaining() < 9 + length) {
                return;
            }
            ByteBuffer payload = in.slice(p + 9, length);
            in.position(p + 9 + length);
            frames++;
            frame(side, type, flags, streamId, payload, micros);
        }
    }

    private void frame(Side side, int type, int flags, int streamId, ByteBuffer payload, long micros) {
        if (side.continuing != 0 && type != CONTINUATION) {
            errors++;
            side.hpackBroken = "header block interrupted by a frame of type " + type;
            side.continuing = 0;
            side.block.reset();
        }
        switch (type) {
            case DATA -> {
                Stream s = streams.get(streamId);
                if (s == null) {
                    return;
                }
                s.touch(side.fromClient, micros);
                int pad = 0;
                if ((flags & PADDED) != 0 && payload.hasRemaining()) {
                    pad = payload.get() & 0xff;
                }
                int n = Math.max(0, payload.remaining() - pad);
                s.append(side.fromClient, payload.slice(payload.position(), n), bodyLimit);
                s.size(side.fromClient, payload.limit() - n);
                if ((flags & END_STREAM) != 0) {
                    end(s, side.fromClient, micros);
                }
            }
            case HEADERS, PUSH_PROMISE -> {
                int pad = 0;
                if ((flags & PADDED) != 0 && payload.hasRemaining()) {
                    pad = payload.get() & 0xff;
                }
                int promised = 0;
                if (type == HEADERS && (flags & PRIORITY_FLAG) != 0) {
                    payload.position(Math.min(payload.limit(), payload.position() + 5));
                } else if (type == PUSH_PROMISE && payload.remaining() >= 4) {
                    promised = payload.getInt() & 0x7fffffff;
                }
                int n = Math.max(0, payload.remaining() - pad);
                side.block.reset();
                side.block.write(bytes(payload, n), 0, n);
                side.blockStream = type == PUSH_PROMISE ? -promised - 1 : streamId;
                side.blockEndStream = (flags & END_STREAM) != 0;
                side.blockMicros = micros;
                side.blockFrameBytes = payload.limit();
                if ((flags & END_HEADERS) != 0) {
                    headerBlock(side);
                } else {
                    side.continuing = streamId;
                }
            }
            case CONTINUATION -> {
                if (side.continuing != streamId) {
                    errors++;
                    side.hpackBroken = "CONTINUATION without its HEADERS";
                    return;
                }
                if (side.block.size() + payload.remaining() > HpackDecoder.MAX_HEADER_LIST_SIZE) {
                    side.hpackBroken = "header block over " + HpackDecoder.MAX_HEADER_LIST_SIZE + " bytes";
                    side.block.reset();
                    side.continuing = 0;
                    return;
                }
                side.blockFrameBytes += payload.remaining();
                byte[] more = bytes(payload, payload.remaining());
                side.block.write(more, 0, more.length);
                if ((flags & END_HEADERS) != 0) {
                    side.continuing = 0;
                    headerBlock(side);
                }
            }
            case RST_STREAM -> {
                Stream s = streams.get(streamId);
                if (s != null && payload.remaining() >= 4) {
                    s.resetCode = payload.getInt();
                    s.touch(side.fromClient, micros);
                    finish(s, micros);
                }
            }
            default -> {
                // SETTINGS, PING, PRIORITY, GOAWAY, WINDOW_UPDATE and unknown types carry no call data
            }
        }
    }

    private void headerBlock(Side side) {
        int streamId = side.blockStream;
        byte[] block = side.block.toByteArray();
        side.block.reset();
        List<Header> headers;
        String error = null;
        if (side.hpackBroken != null) {
            headers = List.of();
            error = side.hpackBroken;
        } else {
            try {
                headers = side.hpack.decode(ByteBuffer.wrap(block));
            } catch (HpackException e) {
                errors++;
                side.hpackBroken = e.getMessage();
                headers = List.of();
                error = e.getMessage();
            }
        }
        if (streamId < 0) {
            return; // PUSH_PROMISE: decoded only to keep the dynamic table in step
        }
        Stream s = side.fromClient ? stream(streamId, side.blockMicros) : streams.get(streamId);
        if (s == null) {
            if (side.fromClient) {
                return;
            }
            // a response to a request we never saw (capture started mid-connection)
            s = stream(streamId, side.blockMicros);
            s.error = "request not captured";
        }
        s.touch(side.fromClient, side.blockMicros);
        s.size(side.fromClient, side.blockFrameBytes);
        if (error != null && s.error == null) {
            s.error = error;
        }
        if (side.fromClient) {
            if (s.requestHeaders == null) {
                s.requestHeaders = headers;
            }
        } else if (s.responseHeaders == null || isInformational(s.responseHeaders)) {
            s.responseHeaders = headers;
        } else {
            s.trailers = headers;
        }
        if (side.blockEndStream) {
            end(s, side.fromClient, side.blockMicros);
        }
    }

    private static boolean isInformational(List<Header> headers) {
        for (Header h : headers) {
            if (h.name().equals(":status")) {
                return h.value().length() == 3 && h.value().charAt(0) == '1';
            }
        }
        return false;
    }

    private Stream stream(int id, long micros) {
        Stream s = streams.get(id);
        if (s == null) {
            if (streams.size() >= MAX_OPEN_STREAMS) {
                Iterator<Stream> it = streams.values().iterator();
                Stream oldest = it.next();
                it.remove();
                emit(oldest, oldest.lastMicros);
            }
            s = new Stream(id, micros);
            streams.put(id, s);
        }
        return s;
    }

    private void end(Stream s, boolean fromClient, long micros) {
        if (fromClient) {
            s.requestEnded = true;
        } else {
            s.responseEnded = true;
        }
        if (s.requestEnded && s.responseEnded) {
            finish(s, micros);
        }
    }

    private void finish(Stream s, long micros) {
        streams.remove(s.id);
        emit(s, micros);
    }

    private void emit(Stream s, long endMicros) {
        String error = s.error;
        if (error == null && s.resetCode < 0 && !(s.requestEnded && s.responseEnded)) {
            error = "stream not finished";
        }
        sink.accept(new Http2Exchange(s.id,
                s.requestHeaders == null ? List.of() : s.requestHeaders,
                s.requestBody == null ? new byte[0] : s.requestBody.toByteArray(),
                s.requestSize, s.requestMicros,
                s.responseHeaders == null ? List.of() : s.responseHeaders,
                s.trailers == null ? List.of() : s.trailers,
                s.responseBody == null ? new byte[0] : s.responseBody.toByteArray(),
                s.responseSize, s.responseMicros, endMicros, s.resetCode, error));
    }

    /** Emits every stream still open, in the order they began (end of capture). */
    public void close() {
        List<Stream> open = new ArrayList<>(streams.values());
        streams.clear();
        for (Stream s : open) {
            emit(s, s.lastMicros);
        }
    }

    public long frames() {
        return frames;
    }

    public long errors() {
        return errors;
    }

    private static byte[] bytes(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }

    private static final class Side {
        final boolean fromClient;
        final HpackDecoder hpack = new HpackDecoder();
        final ByteArrayOutputStream block = new ByteArrayOutputStream();
        boolean prefaceExpected;
        boolean lost;
        String hpackBroken;
        int continuing;
        int blockStream;
        boolean blockEndStream;
        long blockMicros;
        long blockFrameBytes;
        int streaming;
        int streamingId;
        boolean streamingEnd;

        Side(boolean fromClient) {
            this.fromClient = fromClient;
            this.prefaceExpected = fromClient;
        }
    }

    private static final class Stream {
        final int id;
        List<Header> requestHeaders;
        List<Header> responseHeaders;
        List<Header> trailers;
        ByteArrayOutputStream requestBody;
        ByteArrayOutputStream responseBody;
        long requestSize;
        long responseSize;
        long requestMicros;
        long responseMicros;
        long lastMicros;
        boolean requestEnded;
        boolean responseEnded;
        int resetCode = -1;
        String error;
        boolean upgraded;

        Stream(int id, long micros) {
            this.id = id;
            this.lastMicros = micros;
        }

        void touch(boolean fromClient, long micros) {
            if (fromClient) {
                if (requestMicros == 0) {
                    requestMicros = micros;
                }
            } else if (responseMicros == 0) {
                responseMicros = micros;
            }
            lastMicros = micros;
        }

        void size(boolean fromClient, long n) {
            if (fromClient) {
                requestSize += n;
            } else {
                responseSize += n;
            }
        }

        void append(boolean fromClient, ByteBuffer data, int limit) {
            size(fromClient, data.remaining());
            ByteArrayOutputStream body;
            if (fromClient) {
                body = requestBody == null ? (requestBody = new ByteArrayOutputStream()) : requestBody;
            } else {
                body = responseBody == null ? (responseBody = new ByteArrayOutputStream()) : responseBody;
            }
            int n = Math.min(data.remaining(), limit - body.size());
            if (n > 0) {
                byte[] b = new byte[n];
                data.get(b);
                body.write(b, 0, n);
            }
        }
    }
}
