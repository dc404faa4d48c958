package dev.trawl.engine.websocket;

import dev.trawl.engine.DecodingParser;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * WebSocket (RFC 6455) frames on one connection after the HTTP/1.1 upgrade: per direction, a
 * small state machine (header, then payload streamed and unmasked as it arrives, so a frame of
 * any size costs at most the body limit). Fragments of a message are joined; control frames
 * may come between them. Contract of {@link #onData}: it consumes what it can and leaves an
 * incomplete frame header in the buffer.
 */
public final class WebSocketDecoder implements DecodingParser.Decoder {
    /** Control frames may not exceed 125 bytes; past this much we no longer believe it is one. */
    private static final int MAX_CONTROL = 64 * 1024;
    private static final int CONTINUATION = 0, TEXT = 1, BINARY = 2, CLOSE = 8, PING = 9, PONG = 10;

    private final class Side {
        final boolean fromClient;
        // frame in progress
        long remaining = -1;   // payload bytes still to come; -1 between frames
        int opcode;
        boolean fin;
        byte[] mask;
        long maskOffset;
        // message in progress (data frames) or control frame
        Message message;
        Message control;
        boolean lost;

        Side(boolean fromClient) {
            this.fromClient = fromClient;
        }
    }

    private static final class Message {
        final int opcode;
        final long micros;
        final ByteArrayOutputStream payload = new ByteArrayOutputStream();
        long size;
        int frames;
        boolean masked;

        Message(int opcode, long micros) {
            this.opcode = opcode;
            this.micros = micros;
        }
    }

    private final Consumer<WebSocketMessage> sink;
    private final int bodyLimit;
    private final Side client = new Side(true);
    private final Side server = new Side(false);
    private WebSocketMessage pendingPing;   // waiting for its pong
    private WebSocketMessage pendingClose;  // waiting for the other side's close
    private long errors;

    public WebSocketDecoder(int bodyLimit, Consumer<WebSocketMessage> sink) {
        this.bodyLimit = bodyLimit;
        this.sink = sink;
    }

    public long errors() {
        return errors;
    }

    /** Bytes of one direction were lost: frame boundaries are gone there; the rest of it is ignored. */
    public void gap(boolean fromClient) {
        Side side = fromClient ? client : server;
        side.lost = true;
        side.message = null;
        side.control = null;
    }

    public void onData(boolean fromClient, ByteBuffer in, long micros) {
        Side side = fromClient ? client : server;
        while (in.hasRemaining()) {
            if (side.lost) {
                in.position(in.limit());
                return;
            }
            if (side.remaining < 0 && !header(side, in, micros)) {
                return;
            }
            if (side.remaining > 0) {
                int n = (int) Math.min(side.remaining, in.remaining());
                Message m = side.control != null ? side.control : side.message;
                if (m != null) {
                    int keep = (int) Math.max(0, Math.min(n, bodyLimit - m.payload.size()));
                    for (int i = 0; i < keep; i++) {
                        byte b = in.get(in.position() + i);
                        if (side.mask != null) {
                            b ^= side.mask[(int) ((side.maskOffset + i) & 3)];
                        }
                        m.payload.write(b);
                    }
                }
                side.maskOffset += n;
                side.remaining -= n;
                in.position(in.position() + n);
            }
            if (side.remaining == 0) {
                frameDone(side, micros);
            }
        }
    }

    /** Reads a frame header if it is all there; false when more bytes are needed. */
    private boolean header(Side side, ByteBuffer in, long micros) {
        if (in.remaining() < 2) {
            return false;
        }
        int p = in.position();
        int b0 = in.get(p) & 0xff;
        int b1 = in.get(p + 1) & 0xff;
        int opcode = b0 & 0x0f;
        boolean masked = (b1 & 0x80) != 0;
        int len7 = b1 & 0x7f;
        int headerLength = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
        if (in.remaining() < headerLength) {
            return false;
        }
        long length = len7 == 126 ? in.getShort(p + 2) & 0xffff : len7 == 127 ? in.getLong(p + 2) : len7;
        boolean control = opcode >= 8;
        boolean known = opcode <= BINARY || (opcode >= CLOSE && opcode <= PONG);
        if (!known || length < 0 || (control && length > MAX_CONTROL)) {
            errors++;
            side.lost = true;
            return false;
        }
        if (control && (length > 125 || (b0 & 0x80) == 0)) {
            errors++; // against RFC 6455 5.5, yet peers send it: read it anyway
        }
        side.opcode = opcode;
        side.fin = (b0 & 0x80) != 0;
        side.remaining = length;
        side.maskOffset = 0;
        side.mask = null;
        if (masked) {
            side.mask = new byte[4];
            in.get(p + headerLength - 4, side.mask);
        }
        in.position(p + headerLength);
        if (control) {
            side.control = new Message(opcode, micros);
            side.control.masked = masked;
            side.control.size = headerLength + length;
            side.control.frames = 1;
        } else {
            if (opcode != CONTINUATION || side.message == null) {
                if (side.message != null) {
                    emit(side, side.message, micros); // a new message before the last one's FIN
                }
                side.message = new Message(opcode == CONTINUATION ? BINARY : opcode, micros);
            }
            side.message.masked |= masked;
            side.message.size += headerLength + length;
            side.message.frames++;
        }
        return true;
    }

    private void frameDone(Side side, long micros) {
        side.remaining = -1;
        if (side.control != null) {
            Message c = side.control;
            side.control = null;
            control(side, c, micros);
        } else if (side.fin && side.message != null) {
            Message m = side.message;
            side.message = null;
            emit(side, m, micros);
        }
    }

    private void control(Side side, Message c, long micros) {
        byte[] payload = c.payload.toByteArray();
        switch (c.opcode) {
            case PING -> {
                flushPing();
                pendingPing = message(side, c, payload, 0, "");
            }
            case PONG -> {
                if (pendingPing != null && pendingPing.fromClient() != side.fromClient) {
                    WebSocketMessage p = pendingPing;
                    pendingPing = null;
                    sink.accept(new WebSocketMessage(p.fromClient(), p.opcode(), p.payload(), p.size(), p.frames(),
                            p.masked(), 0, "", p.micros(), c.micros, c.size));
                } else {
                    sink.accept(message(side, c, payload, 0, ""));
                }
            }
            case CLOSE -> {
                int code = payload.length >= 2 ? (payload[0] & 0xff) << 8 | (payload[1] & 0xff) : 0;
                String reason = payload.length > 2
                        ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
                if (pendingClose != null && pendingClose.fromClient() != side.fromClient) {
                    WebSocketMessage p = pendingClose;
                    pendingClose = null;
                    sink.accept(new WebSocketMessage(p.fromClient(), p.opcode(), p.payload(), p.size(), p.frames(),
                            p.masked(), p.closeCode(), p.closeReason(), p.micros(), c.micros, c.size));
                } else {
                    flushClose();
                    pendingClose = message(side, c, payload, code, reason);
                }
            }
            default -> {
            }
        }
    }

    private WebSocketMessage message(Side side, Message m, byte[] payload, int code, String reason) {
        String name = switch (m.opcode) {
            case TEXT -> "text";
            case BINARY -> "binary";
            case CLOSE -> "close";
            case PING -> "ping";
            case PONG -> "pong";
            default -> "opcode" + m.opcode;
        };
        return new WebSocketMessage(side.fromClient, name, payload, m.size, m.frames, m.masked, code, reason, m.micros,
                0, 0);
    }

    private void emit(Side side, Message m, long micros) {
        sink.accept(message(side, m, m.payload.toByteArray(), 0, ""));
    }

    private void flushPing() {
        if (pendingPing != null) {
            sink.accept(pendingPing);
            pendingPing = null;
        }
    }

    private void flushClose() {
        if (pendingClose != null) {
            sink.accept(pendingClose);
            pendingClose = null;
        }
    }

    /** Messages in progress come out as they are; a ping or close still waiting, unanswered. */
    public void close() {
        for (Side side : new Side[] {client, server}) {
            if (side.message != null && side.message.frames > 0) {
                emit(side, side.message, side.message.micros);
                side.message = null;
            }
        }
        flushPing();
        flushClose();
    }
}
