package dev.trawl.engine.amqp;

import dev.trawl.engine.Bytes;
import dev.trawl.engine.DecodingParser;
import dev.trawl.engine.Entry;
import dev.trawl.engine.TcpContext;

/**
 * One entry per synchronous method with its answer, and per asynchronous method (publish,
 * deliver, ack, ...), which expects none and counts as answered.
 */
final class AmqpDescriber extends DecodingParser<AmqpDecoder, AmqpExchange> {
    AmqpDescriber(TcpContext ctx) {
        super(ctx, sink -> new AmqpDecoder(ctx.bodyLimit(), sink));
    }

    @Override
    protected void describe(AmqpExchange x, Entry.Builder e) {
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
    }

    private static int parse(String s) {
        try {
            return s.isEmpty() ? 0 : Integer.parseInt(s);
        } catch (NumberFormatException ex) {
            return 0;
        }
    }
}
