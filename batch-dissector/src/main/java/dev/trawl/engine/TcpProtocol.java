package dev.trawl.engine;

import java.nio.ByteBuffer;

/**
 * A protocol carried over TCP, in the shape of Kubeshark's dissector extensions: recognise a
 * stream by its content, then parse it with a fresh {@link TcpParser} per connection.
 *
 * <p>To add a protocol: a package {@code dev.trawl.engine.<name>} with a class implementing
 * this interface (public, no-argument constructor) and a line with its class name in
 * {@code META-INF/services/dev.trawl.engine.TcpProtocol}; {@link ProtocolRegistry#standard()}
 * finds it.
 */
public interface TcpProtocol {

    /** The {@code protocol} value of this protocol's entries: http, http2, redis, ... */
    String name();

    /**
     * Looks at the first bytes seen in one direction of a new connection (everything since
     * the start of the stream, or since capture began mid-stream). {@code data} is a read-only
     * view from position to limit; do not keep it. Called again with more bytes after
     * {@link Detection#NEED_MORE}. {@code port} is the destination port of these bytes, a hint
     * only: detection is by content.
     */
    Detection detect(ByteBuffer data, int port);

    /** A parser for one connection. */
    TcpParser newParser(TcpContext context);

    /**
     * Lower runs first when several protocols could match the same bytes (a strict binary
     * format before a lenient text one). Default 100.
     */
    default int priority() {
        return 100;
    }
}
