package dev.trawl.engine.redis;

import dev.trawl.engine.Detection;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.TcpParser;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/** Redis (RESP2 and RESP3), recognised by a client's command: an array of bulk strings or an inline command. */
public final class RedisProtocol implements TcpProtocol {

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public int priority() {
        return 90;  // after HTTP/1: "GET /x HTTP/1.1" is also a valid inline Redis command
    }

    @Override
    public Detection detect(ByteBuffer data, int port) {
        return switch (RedisDecoder.looksLikeCommand(data)) {
            case COMMAND -> Detection.CLIENT;
            case MAYBE -> Detection.NEED_MORE;
            case NO -> Detection.NO;
        };
    }

    @Override
    public TcpParser newParser(TcpContext context) {
        return new RedisDescriber(context);
    }
}
