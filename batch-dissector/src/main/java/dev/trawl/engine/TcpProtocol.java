package dev.trawl.engine;

import java.nio.ByteBuffer;
import java.util.function.Function;

/**
 * A protocol carried over TCP, in the shape of Kubeshark's dissector extensions: recognise a
 * stream by its content, then parse it with a fresh {@link TcpParser} per connection.
 *
 * <p>To add a protocol: a package {@code dev.trawl.engine.<name>} with a class implementing
 * this interface (public, no-argument constructor; {@link Declared} makes it one line) and a line with its class name in
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

    /** How a protocol recognises the first bytes of a direction (see {@link #detect}). */
    @FunctionalInterface
    interface Detector {
        Detection detect(ByteBuffer data, int port);
    }

    /** A protocol from its parts, at the default priority. */
    static TcpProtocol of(String name, Detector detector, Function<TcpContext, TcpParser> parser) {
        return of(name, 100, detector, parser);
    }

    /** A protocol from its parts: its name, its detection, a parser per connection, its priority. */
    static TcpProtocol of(String name, int priority, Detector detector, Function<TcpContext, TcpParser> parser) {
        return new Declared(name, priority, detector, parser) {};
    }

    /**
     * A protocol declared by its parts, as {@link #of} does; the registry's
     * {@link java.util.ServiceLoader} needs a class, so a registered protocol is one line:
     * {@code public XProtocol() { super("x", XProtocol::detect, XDescriber::new); }}.
     */
    abstract class Declared implements TcpProtocol {
        private final String name;
        private final int priority;
        private final Detector detector;
        private final Function<TcpContext, TcpParser> parser;

        protected Declared(String name, Detector detector, Function<TcpContext, TcpParser> parser) {
            this(name, 100, detector, parser);
        }

        protected Declared(String name, int priority, Detector detector, Function<TcpContext, TcpParser> parser) {
            this.name = name;
            this.priority = priority;
            this.detector = detector;
            this.parser = parser;
        }

        @Override
        public final String name() {
            return name;
        }

        @Override
        public final Detection detect(ByteBuffer data, int port) {
            return detector.detect(data, port);
        }

        @Override
        public final TcpParser newParser(TcpContext context) {
            return parser.apply(context);
        }

        @Override
        public final int priority() {
            return priority;
        }
    }
}
