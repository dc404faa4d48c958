package dev.trawl.dissect.websocket;

import dev.trawl.dissect.Bytes;
import dev.trawl.dissect.Direction;
import dev.trawl.dissect.Entry;
import dev.trawl.dissect.TcpContext;
import dev.trawl.dissect.TcpParser;
import java.nio.ByteBuffer;
import java.util.Map;

/** One entry per message (and per ping with its pong, per close with the answering close). */
final class WebSocketParser implements TcpParser {
    private final TcpContext ctx;
    private final WebSocketConnection connection;
    private final Map<String, String> upgrade;

    WebSocketParser(TcpContext ctx) {
        this.ctx = ctx;
        this.connection = new WebSocketConnection(ctx.bodyLimit(), this::emit);
        this.upgrade = ctx.handedOver();
    }

    @Override
    public int onData(Direction direction, ByteBuffer data, long timestampNanos) {
        int start = data.position();
        connection.onData(direction == Direction.CLIENT_TO_SERVER, data, timestampNanos / 1000);
        return data.position() - start;
    }

    @Override
    public void onGap(Direction direction, long length, long timestampNanos) {
        ctx.count("gaps");
        connection.gap(direction == Direction.CLIENT_TO_SERVER);
    }

    @Override
    public void onClose(long timestampNanos) {
        connection.close();
        if (connection.errors() > 0) {
            ctx.count("malformed");
        }
    }

    private void emit(WebSocketMessage m) {
        Entry.Builder e = ctx.newEntry();
        e.protocol("ws");
        e.timestampMicros(m.micros());
        e.method(m.opcode()).path(upgrade.getOrDefault(":path", "")).host(upgrade.getOrDefault(":authority", ""));
        String payload = Bytes.text(m.payload(), m.payload().length);
        if (m.fromClient()) {
            e.requestBody(payload).requestSize(m.size()).responseSize(m.answerSize());
        } else {
            e.responseBody(payload).responseSize(m.size()).requestSize(m.answerSize());
        }
        boolean expectsAnswer = m.opcode().equals("ping") || m.opcode().equals("close");
        e.answered(!expectsAnswer || m.answered());
        if (m.answered()) {
            e.latencyMicros(m.answerMicros() - m.micros());
        }
        e.field("ws_sender", m.fromClient() ? "client" : "server");
        e.field("ws_opcode", m.opcode()).field("ws_frames", m.frames()).field("ws_masked", m.masked() ? "true" : "false");
        String subprotocol = upgrade.get("sec-websocket-protocol");
        if (subprotocol != null) {
            e.field("ws_subprotocol", subprotocol);
        }
        if (m.closeCode() != 0) {
            e.status(m.closeCode()).statusText(m.closeReason());
            e.field("ws_close_code", m.closeCode());
        }
        String preview = payload.length() > 60 ? payload.substring(0, 60) : payload;
        e.summary((m.fromClient() ? "client " : "server ") + m.opcode()
                + (m.opcode().equals("text") ? " " + preview : " " + m.size() + " bytes"));
        ctx.emit(e);
    }
}
