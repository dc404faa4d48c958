package dev.trawl.dissect.redis;

import dev.trawl.dissect.Direction;
import dev.trawl.dissect.Entry;
import dev.trawl.dissect.TcpContext;
import dev.trawl.dissect.TcpParser;
import java.nio.ByteBuffer;

/** One entry per command (with its reply) and per pushed pub/sub message. */
final class RedisParser implements TcpParser {
    private final TcpContext ctx;
    private final RedisConnection connection;

    RedisParser(TcpContext ctx) {
        this.ctx = ctx;
        this.connection = new RedisConnection(Math.min(ctx.bodyLimit(), 4096), this::emit);
    }

    @Override
    public int onData(Direction direction, ByteBuffer data, long timestampNanos) {
        int n = data.remaining();
        connection.onData(direction == Direction.CLIENT_TO_SERVER, data, timestampNanos / 1000);
        return n;
    }

    @Override
    public void onGap(Direction direction, long length, long timestampNanos) {
        // RESP has no length prefix to skip by: commands in flight come out unanswered and
        // parsing starts afresh at the next value start
        ctx.count("gaps");
        connection.gap(direction == Direction.CLIENT_TO_SERVER);
    }

    @Override
    public void onClose(long timestampNanos) {
        connection.close();
        if (connection.broken()) {
            ctx.count("malformed");
        }
    }

    private void emit(RedisExchange x) {
        Entry.Builder e = ctx.newEntry();
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
        ctx.emit(e);
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
