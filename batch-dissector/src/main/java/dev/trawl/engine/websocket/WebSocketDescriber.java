package dev.trawl.engine.websocket;

import dev.trawl.engine.Bytes;
import dev.trawl.engine.DecodingParser;
import dev.trawl.engine.Entry;
import dev.trawl.engine.TcpContext;
import java.util.Map;

/** One entry per message (and per ping with its pong, per close with the answering close). */
final class WebSocketDescriber extends DecodingParser<WebSocketDecoder, WebSocketMessage> {
    private final Map<String, String> upgrade;

    WebSocketDescriber(TcpContext ctx) {
        super(ctx, sink -> new WebSocketDecoder(ctx.bodyLimit(), sink));
        this.upgrade = ctx.handedOver();
    }

    @Override
    protected void describe(WebSocketMessage m, Entry.Builder e) {
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
    }
}
