package dev.trawl.engine.http2;

import dev.trawl.engine.Detection;
import dev.trawl.engine.Framing;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/**
 * HTTP/2 in clear: recognised by the client connection preface (prior knowledge), or, for a
 * connection whose start was not captured, by its frames (see {@link #midStream}). After
 * HTTP/1.1 {@code Upgrade: h2c} the HTTP/1 parser hands the connection over by this name.
 * Streams whose request is gRPC come out as protocol {@code grpc}.
 */
public final class Http2Protocol extends TcpProtocol.Declared {
    public static final String NAME = "http2";
    /** Frames that chain without one that names its side before the port decides. */
    private static final int UNDECIDED_FRAMES = 8;

    public Http2Protocol() {
        // before HTTP/1: the preface starts with "PRI * HTTP/2.0", which looks like a request line
        super(NAME, 45, Http2Protocol::recognise, Http2Describer::new);
    }

    private static Detection recognise(ByteBuffer data, int port) {
        int n = Math.min(data.remaining(), Http2Decoder.PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (data.get(data.position() + i) != Http2Decoder.PREFACE[i]) {
                return midStream(data, port);
            }
        }
        return n == Http2Decoder.PREFACE.length ? Detection.CLIENT : Detection.NEED_MORE;
    }

    /**
     * Without the preface: one frame that can only be HTTP/2 (SETTINGS, HEADERS, WINDOW_UPDATE),
     * or several frames of any type that chain (PINGs of a keep-alive, DATA of a stream). The
     * direction shows in a HEADERS frame (a request's block starts differently from a
     * response's), a PRIORITY (the client's) or a PUSH_PROMISE (the server's); when none is
     * there, both sides send the same frames and the destination port decides: an ephemeral
     * one is the client's.
     */
    private static Detection midStream(ByteBuffer data, int port) {
        Detection byPort = port >= 32768 ? Detection.SERVER : Detection.CLIENT;
        if (!Http2Decoder.looksLikeFrames(data)) {
            Detection run = Framing.detect(data, 3, FRAMES);
            // frames both sides send (PINGs, DATA) say nothing of the side: wait a while for one that does
            return run != Detection.NEED_MORE ? run : Framing.detect(data, UNDECIDED_FRAMES, FRAMES, byPort);
        }
        Detection run = Framing.detect(data, 1, FRAMES, byPort);
        return run == Detection.CLIENT || run == Detection.SERVER ? run : byPort;
    }

    /** A frame header whose fields fit its type. */
    private static final Framing.Message FRAMES = new Framing.Message() {
        @Override
        public int length(ByteBuffer data, int at) {
            if (data.limit() - at < 9) {
                return 0;
            }
            int length = ((data.get(at) & 0xff) << 16) | ((data.get(at + 1) & 0xff) << 8) | (data.get(at + 2) & 0xff);
            return (data.get(at + 3) & 0xff) <= Http2Decoder.CONTINUATION && data.getInt(at + 5) >= 0 ? 9 + length : -1;
        }

        @Override
        public Detection sender(ByteBuffer data, int at, int length, int previous) {
            int size = length - 9;
            int flags = data.get(at + 4) & 0xff;
            int stream = data.getInt(at + 5);
            boolean onStream = stream > 0;
            return switch (data.get(at + 3)) {
                case Http2Decoder.DATA, Http2Decoder.CONTINUATION -> onStream ? Detection.NEED_MORE : Detection.NO;
                case Http2Decoder.HEADERS -> !onStream ? Detection.NO
                        : (stream & 1) == 0 || !requestBlock(data, at) ? Detection.SERVER : Detection.CLIENT;
                case Http2Decoder.PRIORITY -> onStream && size == 5 ? Detection.CLIENT : Detection.NO;
                case Http2Decoder.RST_STREAM -> onStream && size == 4 ? Detection.NEED_MORE : Detection.NO;
                case Http2Decoder.SETTINGS -> stream == 0 && size % 6 == 0 && (flags & ~1) == 0 && (flags == 0 || size == 0)
                        ? Detection.NEED_MORE : Detection.NO;
                case Http2Decoder.PUSH_PROMISE -> onStream && size >= 4 ? Detection.SERVER : Detection.NO;
                case Http2Decoder.PING -> stream == 0 && size == 8 && (flags & ~1) == 0 ? Detection.NEED_MORE : Detection.NO;
                case Http2Decoder.GOAWAY -> stream == 0 && size >= 8 ? Detection.NEED_MORE : Detection.NO;
                case Http2Decoder.WINDOW_UPDATE -> size == 4 && (data.getInt(at + 9) & 0x7fffffff) != 0
                        ? Detection.NEED_MORE : Detection.NO;
                default -> Detection.NO;
            };
        }
    };

    /** A request's header block usually begins with an indexed :method (static index 2 or 3). */
    private static boolean requestBlock(ByteBuffer data, int at) {
        if (data.limit() - at < 10) {
            return true;
        }
        int p = at + 9;
        int flags = data.get(at + 4);
        if ((flags & Http2Decoder.PADDED) != 0) {
            p++;
        }
        if ((flags & Http2Decoder.PRIORITY_FLAG) != 0) {
            p += 5;
        }
        if (p >= data.limit()) {
            return true;
        }
        int b = data.get(p) & 0xff;
        // indexed :status (8-14) means a response
        return !(b >= 0x88 && b <= 0x8e);
    }

}
