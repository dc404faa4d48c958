package dev.trawl.engine;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A {@link TcpParser} that hands a connection's bytes to a protocol's {@link Decoder}, which
 * pairs requests with responses and gives back exchanges; the protocol only describes an
 * exchange in its entry ({@link #describe}).
 *
 * @param <D> the protocol's decoder
 * @param <X> what the decoder gives back: one request with its response
 */
public abstract class DecodingParser<D extends DecodingParser.Decoder, X> implements TcpParser {

    /** One connection's state machines, one per direction, that know nothing of the engine. */
    public interface Decoder {

        /** Consumes what it can of {@code in}, keeping the rest for when more bytes arrive. */
        void onData(boolean fromClient, ByteBuffer in, long micros);

        /** Bytes of one direction were lost: abandon the message in progress and resynchronise. */
        void gap(boolean fromClient);

        /** Gives back what is still open, requests without responses as unanswered. */
        void close();

        /** How many messages could not be decoded. */
        long errors();
    }

    /** A decoder of a protocol that can switch to TLS mid-connection (PostgreSQL, MySQL). */
    public interface StartTls extends Decoder {

        /** True once the connection switched: {@link #onData} then leaves every byte unconsumed. */
        boolean encrypted();

        /** No TLS parser takes the encrypted rest: consume and drop it. */
        void discardEncrypted();
    }

    protected final TcpContext ctx;
    protected final D decoder;
    private boolean handedToTls;

    /** {@code newDecoder} makes the decoder from where its exchanges go. */
    protected DecodingParser(TcpContext ctx, Function<Consumer<X>, D> newDecoder) {
        this.ctx = ctx;
        this.decoder = newDecoder.apply(this::emit);
    }

    /** Describes one exchange in its entry: what was asked, what came back, the protocol's fields. */
    protected abstract void describe(X exchange, Entry.Builder entry);

    private void emit(X exchange) {
        Entry.Builder entry = ctx.newEntry();
        describe(exchange, entry);
        ctx.emit(entry);
    }

    @Override
    public int onData(Direction direction, ByteBuffer data, long timestampNanos) {
        int start = data.position();
        decoder.onData(direction == Direction.CLIENT_TO_SERVER, data, timestampNanos / 1000);
        if (decoder instanceof StartTls tls && tls.encrypted() && !handedToTls) {
            // the TLS parser reads the handshake (SNI, ALPN) from here on
            handedToTls = true;
            if (!ctx.handOff("tls")) {
                tls.discardEncrypted();
            }
        }
        return data.position() - start;
    }

    @Override
    public void onGap(Direction direction, long length, long timestampNanos) {
        ctx.count("gaps");
        decoder.gap(direction == Direction.CLIENT_TO_SERVER);
    }

    @Override
    public void onClose(long timestampNanos) {
        decoder.close();
        if (decoder.errors() > 0) {
            ctx.count("malformed");
        }
    }
}
