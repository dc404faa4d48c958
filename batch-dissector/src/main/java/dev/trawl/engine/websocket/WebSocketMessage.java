package dev.trawl.engine.websocket;

/**
 * One WebSocket message (its fragments joined), or a control frame. A ping comes out with the
 * pong that answered it, a close with the close that answered it.
 *
 * @param opcode {@code text}, {@code binary}, {@code close}, {@code ping} or {@code pong} (an unsolicited one)
 * @param payload the unmasked payload, cut at the body limit
 * @param closeCode the close frame's status code, 0 when none
 */
public record WebSocketMessage(boolean fromClient, String opcode, byte[] payload, long size, int frames,
                               boolean masked, int closeCode, String closeReason, long micros,
                               long answerMicros, long answerSize) {

    public boolean answered() {
        return answerMicros != 0;
    }
}
