package dev.trawl.engine;

import java.nio.ByteBuffer;

/**
 * Parses one TCP connection: a small state machine per direction over in-order bytes, pairing
 * requests with responses and emitting entries through its {@link TcpContext}.
 *
 * <p>The engine hands bytes over as they arrive, without copying when it can. The parser
 * consumes what it can use and returns how much; bytes it leaves (an incomplete header) are
 * kept by the engine and offered again, with the following bytes appended. Bodies should be
 * consumed as they stream in (keeping at most {@link TcpContext#bodyLimit()} bytes), because
 * what a parser leaves unconsumed is bounded, and past the bound the engine drops it and calls
 * {@link #onGap}.
 */
public interface TcpParser {

    /**
     * In-order bytes of one direction, from {@code data.position()} to {@code data.limit()}.
     * {@code timestampNanos} is the capture time of the packet that brought the first of them
     * (bytes left unconsumed by an earlier call, or held back by reassembly, keep their own
     * packet's time), so a message that starts at the position is dated by its first byte.
     * Returns how many bytes, from the position, were consumed (0 to all). The view is valid
     * only during the call; its position and limit may be changed freely.
     */
    int onData(Direction direction, ByteBuffer data, long timestampNanos);

    /**
     * {@code length} bytes of one direction were never captured (or were dropped by the
     * engine's bounds). Abandon the message in progress in that direction and resynchronise:
     * look for the next message start in the bytes that follow.
     */
    void onGap(Direction direction, long length, long timestampNanos);

    /**
     * The connection is over (FIN or RST both ways, idle timeout in packet time, or the end of
     * the input). Emit what is still open — requests without responses as unanswered entries.
     * Called exactly once.
     */
    void onClose(long timestampNanos);
}
