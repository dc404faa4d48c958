package dev.trawl.dissect.amqp;

import dev.trawl.dissect.Bytes;
import dev.trawl.dissect.Direction;
import dev.trawl.dissect.Entry;
import dev.trawl.dissect.TcpContext;
import dev.trawl.dissect.TcpParser;
import java.nio.ByteBuffer;

/**
 * One entry per synchronous method with its answer, and per asynchronous method (publish,
 * deliver, ack, ...), which expects none and counts as answered.
 */
final class AmqpParser implements TcpParser {
    private final TcpContext ctx;
    private final AmqpConnection connection;

    AmqpParser(TcpContext ctx) {
        this.ctx = ctx;
        this.connection = new AmqpConnection(ctx.bodyLimit(), this::emit);
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

    private void emit(AmqpExchange x) {
        Entry.Builder e = ctx.newEntry();
        e.timestampMicros(x.requestMicros());
        String exchange = x.argument("exchange");
        String routingKey = x.argument("routing-key");
        String queue = x.argument("queue");
        String path = x.method().startsWith("queue.") || x.method().equals("basic.consume") || x.method().equals("basic.get")
                ? queue
                : routingKey.isEmpty() ? exchange : exchange + "/" + routingKey;
        e.method(x.method()).path(path).host(x.argument("virtual-host"));
        e.requestSize(x.requestSize()).responseSize(x.responseSize());
        e.field("amqp_channel", x.channel());
        e.field("amqp_sender", x.fromClient() ? "client" : "server");
        if (!exchange.isEmpty()) {
            e.field("amqp_exchange", exchange);
        }
        if (!routingKey.isEmpty()) {
            e.field("amqp_routing_key", routingKey);
        }
        if (!queue.isEmpty()) {
            e.field("amqp_queue", queue);
        }
        x.arguments().forEach((k, v) -> e.requestHeader(k, v));
        if (x.expectsAnswer()) {
            e.answered(x.answered());
            if (x.answered()) {
                e.latencyMicros(x.responseMicros() - x.requestMicros());
                e.field("amqp_answer", x.answer());
            }
        } else {
            e.answered(true);
        }
        int code = x.replyCode() != 0 ? x.replyCode() : parse(x.argument("reply-code"));
        if (code != 0 && code != 200) {
            e.status(code).statusText(x.replyText().isEmpty() ? x.argument("reply-text") : x.replyText());
            e.field("amqp_reply_code", code);
        }
        if (x.body().length > 0) {
            e.requestBody(Bytes.text(x.body(), x.body().length));
            e.field("amqp_body_size", x.bodySize());
        }
        e.summary(x.method() + (path.isEmpty() ? "" : " " + path) + (code != 0 && code != 200 ? " -> " + code : ""));
        ctx.emit(e);
    }

    private static int parse(String s) {
        try {
            return s.isEmpty() ? 0 : Integer.parseInt(s);
        } catch (NumberFormatException ex) {
            return 0;
        }
    }
}
