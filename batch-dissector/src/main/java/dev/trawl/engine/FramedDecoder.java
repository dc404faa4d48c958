package dev.trawl.engine;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The framing of a binary protocol whose header gives each frame's length, in the spirit of
 * Netty's {@code LengthFieldBasedFrameDecoder}, per direction of a connection: the first
 * {@code maxParsed} bytes of a frame are handed over whole ({@link #frame}), the rest is skipped
 * as it arrives, so a 1 GB message costs nothing; an incomplete header or frame is left in the
 * buffer for the next call. A header that cannot be this protocol's loses the framing: the
 * direction then looks, byte by byte, for the next plausible frame start ({@link #startsFrame}),
 * or, for a protocol that cannot tell one there ({@link #resyncsAfterBadHeader}), drops its
 * bytes until the next gap, after which it looks for a start again.
 */
public abstract class FramedDecoder implements DecodingParser.Decoder {
    private enum State { FRAMING, RESYNCING, LOST }

    private final int header;
    private final int startBytes;
    private final int maxParsed;
    private final State[] state = {State.FRAMING, State.FRAMING};
    private final long[] skip = new long[2];
    private long errors;

    /**
     * @param header     bytes needed to read a frame's length
     * @param startBytes bytes needed to tell a frame's start ({@link #startsFrame})
     * @param maxParsed  at most this many bytes of a frame, header included, are handed over
     */
    protected FramedDecoder(int header, int startBytes, int maxParsed) {
        this.header = header;
        this.startBytes = startBytes;
        this.maxParsed = maxParsed;
    }

    /** The whole frame's length from the header at the position, or -1 when no frame of this protocol can start there. */
    protected abstract long frameLength(boolean fromClient, ByteBuffer in);

    /**
     * One frame: its first bytes (header included, at most {@code maxParsed}) and its whole
     * length. False when its content shows the framing was wrong (a bad trailer): the frame
     * is not consumed and the direction resynchronises from its second byte.
     */
    protected abstract boolean frame(boolean fromClient, ByteBuffer frame, long length, long micros);

    /** Whether a frame of this side plausibly starts at the position ({@code startBytes} or more are there). */
    protected abstract boolean startsFrame(boolean fromClient, ByteBuffer in);

    /** False for a protocol whose bad header leaves nothing to resynchronise on before the next gap. */
    protected boolean resyncsAfterBadHeader() {
        return true;
    }

    @Override
    public long errors() {
        return errors;
    }

    /** A message could not be read: counted, the framing kept. */
    protected void malformed() {
        errors++;
    }

    /** Bytes of one direction were lost: the frame in progress is abandoned, the next start looked for. */
    @Override
    public void gap(boolean fromClient) {
        int d = fromClient ? 0 : 1;
        skip[d] = 0;
        state[d] = State.RESYNCING;
    }

    @Override
    public void onData(boolean fromClient, ByteBuffer in, long micros) {
        int d = fromClient ? 0 : 1;
        while (in.hasRemaining()) {
            switch (state[d]) {
                case LOST -> {
                    in.position(in.limit());
                    return;
                }
                case RESYNCING -> {
                    if (!resync(fromClient, in)) {
                        return;
                    }
                }
                case FRAMING -> { }
            }
            if (skip[d] > 0) {
                skip[d] -= Bytes.skip(in, skip[d]);
                continue;
            }
            if (in.remaining() < header) {
                return;
            }
            int p = in.position();
            long length = frameLength(fromClient, in);
            if (length < header) {
                errors++;
                lose(fromClient, in, p);
                continue;
            }
            int parsed = (int) Math.min(length, maxParsed);
            if (in.remaining() < parsed) {
                return;
            }
            boolean framed;
            try {
                framed = frame(fromClient, in.slice(p, parsed), length, micros);
            } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
                errors++;
                framed = true;  // a message shorter than its fields: the framing holds
            }
            if (!framed) {
                errors++;
                lose(fromClient, in, p);
                continue;
            }
            in.position(p + parsed);
            skip[d] = length - parsed;
        }
    }

    private void lose(boolean fromClient, ByteBuffer in, int at) {
        int d = fromClient ? 0 : 1;
        if (!resyncsAfterBadHeader()) {
            state[d] = State.LOST;
        } else {
            state[d] = State.RESYNCING;
            in.position(at + 1);
        }
    }

    private boolean resync(boolean fromClient, ByteBuffer in) {
        while (in.remaining() >= startBytes) {
            if (startsFrame(fromClient, in)) {
                state[fromClient ? 0 : 1] = State.FRAMING;
                return true;
            }
            in.position(in.position() + 1);
        }
        return false;
    }
}
