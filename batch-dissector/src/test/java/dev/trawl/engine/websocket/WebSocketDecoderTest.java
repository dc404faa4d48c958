package dev.trawl.engine.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WebSocketDecoderTest {

    /** RFC 6455 5.7: a masked "Hello" from the client, an unmasked one from the server. */
    @Test
    void unmasksAndJoinsFragments() {
        List<WebSocketMessage> out = new ArrayList<>();
        WebSocketDecoder c = new WebSocketDecoder(1024, out::add);
        c.onData(true, hex("818537fa213d7f9f4d5158"), 1);
        c.onData(false, hex("810548656c6c6f"), 2);
        // a fragmented unmasked text message "Hel" + "lo", with a ping between the fragments
        c.onData(false, hex("010348656c"), 3);
        c.onData(false, hex("890548656c6c6f"), 4);
        c.onData(true, hex("8a8537fa213d7f9f4d5158"), 5);
        c.onData(false, hex("80026c6f"), 6);
        c.close();
        assertThat(out).extracting(WebSocketMessage::opcode).containsExactly("text", "text", "ping", "text");
        assertThat(new String(out.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("Hello");
        assertThat(out.get(0).masked()).isTrue();
        assertThat(new String(out.get(1).payload(), StandardCharsets.UTF_8)).isEqualTo("Hello");
        assertThat(out.get(2).answered()).isTrue();
        assertThat(out.get(2).answerMicros()).isEqualTo(5);
        assertThat(new String(out.get(3).payload(), StandardCharsets.UTF_8)).isEqualTo("Hello");
        assertThat(out.get(3).frames()).isEqualTo(2);
    }

    @Test
    void largeFramesAreStreamedAndCut() {
        List<WebSocketMessage> out = new ArrayList<>();
        WebSocketDecoder c = new WebSocketDecoder(10, out::add);
        ByteBuffer frame = ByteBuffer.allocate(10 + 70000);
        frame.put((byte) 0x82).put((byte) 127).putLong(70000).put(new byte[70000]).flip();
        while (frame.hasRemaining()) {
            ByteBuffer piece = frame.slice(frame.position(), Math.min(1000, frame.remaining()));
            c.onData(false, piece, 1);
            frame.position(frame.position() + piece.position());
            if (piece.position() == 0) {
                break;
            }
        }
        assertThat(out).hasSize(1);
        assertThat(out.getFirst().payload()).hasSize(10);
        assertThat(out.getFirst().size()).isEqualTo(70010);
    }

    @Test
    void garbageNeverThrows() {
        Random r = new Random(23);
        for (int i = 0; i < 300; i++) {
            byte[] junk = new byte[r.nextInt(600)];
            r.nextBytes(junk);
            WebSocketDecoder c = new WebSocketDecoder(64, e -> { });
            c.onData(i % 2 == 0, ByteBuffer.wrap(junk), 1);
            c.close();
        }
    }

    private static ByteBuffer hex(String s) {
        return ByteBuffer.wrap(java.util.HexFormat.of().parseHex(s));
    }
}
