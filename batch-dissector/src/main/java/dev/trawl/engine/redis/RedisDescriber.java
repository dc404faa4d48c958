package dev.trawl.engine.redis;

import dev.trawl.engine.DecodingParser;
import dev.trawl.engine.Entry;
import dev.trawl.engine.TcpContext;

/** One entry per command (with its reply) and per pushed pub/sub message. */
final class RedisDescriber extends DecodingParser<RedisDecoder, RedisExchange> {
    RedisDescriber(TcpContext ctx) {
        super(ctx, sink -> new RedisDecoder(Math.min(ctx.bodyLimit(), 4096), sink));
    }

    @Override
    protected void describe(RedisExchange x, Entry.Builder e) {
        e.timestampMicros(x.requestMicros() != 0 ? x.requestMicros() : x.responseMicros());
        e.method(x.command()).path(x.key());
        e.requestSize(x.requestSize()).responseSize(x.responseSize());
        e.field("redis_key", x.key());
        if (!x.args().isEmpty()) {
            e.field("redis_args", String.join(" ", x.args()));
        }
        if (x.push()) {
            e.field("redis_push", "true");
        }
        RespValue reply = x.reply();
        e.answered(reply != null);
        if (reply != null) {
            if (x.requestMicros() != 0 && !x.push()) {
                e.latencyMicros(x.responseMicros() - x.requestMicros());
            }
            e.field("redis_reply_type", String.valueOf(reply.type()));
            String text = reply.summary();
            e.responseBody(reply.elements() != null ? elements(reply) : text);
            if (reply.isError()) {
                e.status(1).statusText(text);
                e.field("redis_error", text);
            } else {
                e.statusText(text == null ? "" : text.length() > 80 ? text.substring(0, 80) : text);
            }
        }
        if (x.requestMicros() == 0 && !x.push()) {
            e.field("request_missing", "true");
        }
        e.summary((x.command() + " " + x.key()).trim());
    }

    private static String elements(RespValue v) {
        StringBuilder sb = new StringBuilder();
        for (RespValue element : v.elements()) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(element.elements() != null ? element.summary() : element.text() == null ? "(nil)" : element.text());
        }
        return sb.toString();
    }
}
