package dev.trawl.engine.redis;

import java.util.List;

/**
 * A Redis command and its reply, or a message the server pushed on its own (pub/sub, RESP3
 * push): then {@code push} is true, {@code command} is the push kind ({@code message},
 * {@code pmessage}, ...) and {@code key} its channel.
 *
 * @param args the command's arguments after its name (the first few, each cut at the string limit)
 * @param reply null when unanswered
 */
public record RedisExchange(String command, List<String> args, String key, RespValue reply,
                            long requestSize, long responseSize, long requestMicros, long responseMicros,
                            boolean push) {

    public boolean answered() {
        return reply != null;
    }
}
