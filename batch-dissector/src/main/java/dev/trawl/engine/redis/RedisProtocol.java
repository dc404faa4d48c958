package dev.trawl.engine.redis;

import dev.trawl.engine.Detection;
import dev.trawl.engine.Framing;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/**
 * Redis (RESP2 and RESP3), recognised by a client's command (an array of bulk strings or an
 * inline command), or by a server's replies that chain (a pooled connection's PONGs).
 */
public final class RedisProtocol extends TcpProtocol.Declared {
    private static final int MAX_NESTING = 4;
    private static final int MAX_ELEMENTS = 64;
    private static final int MAX_LINE = 512;

    public RedisProtocol() {
        // after HTTP/1: "GET /x HTTP/1.1" is also a valid inline Redis command
        super("redis", 90, RedisProtocol::recognise, RedisDescriber::new);
    }

    private static Detection recognise(ByteBuffer data, int port) {
        return switch (RedisDecoder.looksLikeCommand(data)) {
            // an array of bulk strings is a command, or a reply (pub/sub, LRANGE): the run after it tells
            case COMMAND -> Framing.detect(data, 1, REPLIES) == Detection.SERVER ? Detection.SERVER : Detection.CLIENT;
            case MAYBE -> Detection.NEED_MORE;
            case NO -> Framing.detect(data, 3, REPLIES);
        };
    }

    /** Whole RESP values; a reply is any but an array of bulk strings, which a command is too. */
    private static final Framing.Message REPLIES = new Framing.Message() {
        @Override
        public int length(ByteBuffer data, int at) {
            return value(data, at, 0);
        }

        @Override
        public Detection sender(ByteBuffer data, int at, int length, int previous) {
            byte type = data.get(at);
            if (type == '+') {
                // "+OK", "+PONG", "+QUEUED"; a line with spaces is another protocol's (POP3's "+OK ready")
                for (int i = at + 1; i < at + length - 2; i++) {
                    if (data.get(i) == ' ') {
                        return Detection.NO;
                    }
                }
            }
            return type == '*' && bulkStrings(data, at, length) ? Detection.NEED_MORE : Detection.SERVER;
        }
    };

    private static boolean bulkStrings(ByteBuffer data, int at, int length) {
        int p = lineEnd(data, at + 1) + 2;
        while (p < at + length) {
            if (data.get(p) != '$') {
                return false;
            }
            p += value(data, p, 1);
        }
        return true;
    }

    /** The length of the whole RESP value at {@code at}, 0 when it is not all there yet, -1 when it is not RESP. */
    private static int value(ByteBuffer data, int at, int depth) {
        if (at >= data.limit()) {
            return 0;
        }
        int end = lineEnd(data, at + 1);
        if (end == -1) {
            return 0;
        }
        if (end < 0) {
            return -1;
        }
        int line = end + 2 - at;
        byte type = data.get(at);
        switch (type) {
            case '+', '-' -> {
                return printable(data, at + 1, end) && (type == '+' || Character.isUpperCase(data.get(at + 1)))
                        ? line : -1;
            }
            case ':', '(' -> {
                return number(data, at + 1, end) != Long.MIN_VALUE ? line : -1;
            }
            case '_' -> {
                return end == at + 1 ? line : -1;
            }
            case '#' -> {
                return end == at + 2 && (data.get(at + 1) == 't' || data.get(at + 1) == 'f') ? line : -1;
            }
            case ',' -> {
                return end > at + 1 && printable(data, at + 1, end) ? line : -1;
            }
            case '$', '!', '=' -> {
                long n = number(data, at + 1, end);
                if (n == -1 && type == '$') {
                    return line;
                }
                if (n < 0 || n > Framing.MAX_MESSAGE) {
                    return -1;
                }
                int whole = line + (int) n + 2;
                if (data.limit() - at < whole) {
                    return 0;
                }
                return data.get(at + whole - 2) == '\r' && data.get(at + whole - 1) == '\n' ? whole : -1;
            }
            case '*', '%', '~', '>' -> {
                long n = number(data, at + 1, end);
                if (n == -1 && type == '*') {
                    return line;
                }
                long elements = type == '%' ? 2 * n : n;
                if (n < 0 || elements > MAX_ELEMENTS || depth >= MAX_NESTING) {
                    return -1;
                }
                int whole = line;
                for (int i = 0; i < elements; i++) {
                    int element = value(data, at + whole, depth + 1);
                    if (element <= 0) {
                        return element;
                    }
                    whole += element;
                }
                return whole;
            }
            default -> {
                return -1;
            }
        }
    }

    /** Where the line from {@code from} ends (its CR), -1 when not yet, -2 when no line of RESP is that long. */
    private static int lineEnd(ByteBuffer data, int from) {
        int last = Math.min(data.limit() - 1, from + MAX_LINE);
        for (int i = from; i < last; i++) {
            if (data.get(i) == '\r') {
                return data.get(i + 1) == '\n' ? i : -2;
            }
        }
        return data.limit() - from > MAX_LINE ? -2 : -1;
    }

    private static boolean printable(ByteBuffer data, int from, int to) {
        for (int i = from; i < to; i++) {
            int c = data.get(i) & 0xff;
            if (c < 0x20 || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** A decimal integer, or Long.MIN_VALUE when the text is not one. */
    private static long number(ByteBuffer data, int from, int to) {
        int i = from;
        boolean negative = i < to && data.get(i) == '-';
        if (negative) {
            i++;
        }
        if (i == to || to - i > 18) {
            return Long.MIN_VALUE;
        }
        long n = 0;
        for (; i < to; i++) {
            byte c = data.get(i);
            if (c < '0' || c > '9') {
                return Long.MIN_VALUE;
            }
            n = n * 10 + (c - '0');
        }
        return negative ? -n : n;
    }

}
