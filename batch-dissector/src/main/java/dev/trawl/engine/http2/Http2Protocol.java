package dev.trawl.engine.http2;

import dev.trawl.engine.Detection;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.TcpParser;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/**
 * HTTP/2 in clear: recognised by the client connection preface (prior knowledge), or, for a
 * connection whose start was not captured, by a frame header that can only be HTTP/2. After
 * HTTP/1.1 {@code Upgrade: h2c} the HTTP/1 parser hands the connection over by this name.
 * Streams whose request is gRPC come out as protocol {@code grpc}.
 */
public final class Http2Protocol implements TcpProtocol {
    public static final String NAME = "http2";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 45;  // before HTTP/1: the preface starts with "PRI * HTTP/2.0", which looks like a request line
    }

    @Override
    public Detection detect(ByteBuffer data, int port) {
        int n = Math.min(data.remaining(), Http2Decoder.PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (data.get(data.position() + i) != Http2Decoder.PREFACE[i]) {
                return Http2Decoder.looksLikeFrames(data) ? midStream(data, port) : Detection.NO;
            }
        }
        return n == Http2Decoder.PREFACE.length ? Detection.CLIENT : Detection.NEED_MORE;
    }

    /**
     * Without the preface the direction shows in a HEADERS frame (a request's block starts
     * differently from a response's); both sides send SETTINGS and WINDOW_UPDATE, so then the
     * destination port decides: an ephemeral one is the client's.
     */
    private static Detection midStream(ByteBuffer data, int port) {
        int type = data.get(data.position() + 3);
        if (type == Http2Decoder.HEADERS) {
            return looksLikeRequestBlock(data) ? Detection.CLIENT : Detection.SERVER;
        }
        return port >= 32768 ? Detection.SERVER : Detection.CLIENT;
    }

    /** A request's header block usually begins with an indexed :method (static index 2 or 3). */
    private static boolean looksLikeRequestBlock(ByteBuffer data) {
        if (data.remaining() < 10) {
            return true;
        }
        int p = data.position() + 9;
        int flags = data.get(data.position() + 4);
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

    @Override
    public TcpParser newParser(TcpContext context) {
        return new Http2Describer(context);
    }
}
