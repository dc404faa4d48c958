package dev.trawl.engine.redis;

import dev.trawl.engine.DecodingParser;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Redis on one TCP connection: commands are answered in order (pipelining keeps the order),
 * so replies pair with the oldest unanswered command; pub/sub messages and RESP3 pushes are
 * not replies and come out on their own. Consumes every byte it is given.
 */
public final class RedisDecoder implements DecodingParser.Decoder {
    /** Commands waiting for a reply; past it the oldest come out unanswered. */
    public static final int MAX_PENDING = 1024;
    /** Command arguments are kept this long: enough to read a key, not a value. */
    public static final int ARGUMENT_LIMIT = 256;

    private static final Set<String> NO_KEY = Set.of("PING", "ECHO", "AUTH", "HELLO", "SELECT", "INFO",
            "CONFIG", "CLIENT", "CLUSTER", "COMMAND", "MULTI", "EXEC", "DISCARD", "UNWATCH", "DBSIZE",
            "FLUSHDB", "FLUSHALL", "SAVE", "BGSAVE", "BGREWRITEAOF", "LASTSAVE", "TIME", "SCAN", "KEYS",
            "RANDOMKEY", "QUIT", "RESET", "SLOWLOG", "MONITOR", "DEBUG", "SCRIPT", "FUNCTION", "MEMORY",
            "LATENCY", "ACL", "ROLE", "REPLICAOF", "SLAVEOF", "SHUTDOWN", "SWAPDB", "WAIT", "READONLY",
            "READWRITE", "PUBSUB", "LOLWUT", "MODULE", "FAILOVER", "SYNC", "PSYNC", "REPLCONF");
    private static final Set<String> PUSH_KINDS = Set.of("message", "pmessage", "smessage", "subscribe",
            "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "invalidate");

    private record Pending(String command, List<String> args, String key, long size, long micros) {}

    private final RespDecoder requests;
    private final RespDecoder replies;
    private final Consumer<RedisExchange> sink;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final int stringLimit;
    private int subscriptions;  // confirmations still expected for the pending (un)subscribe command

    public RedisDecoder(int stringLimit, Consumer<RedisExchange> sink) {
        this.stringLimit = stringLimit;
        this.requests = new RespDecoder(Math.min(stringLimit, ARGUMENT_LIMIT), true);
        this.replies = new RespDecoder(stringLimit, false);
        this.sink = sink;
    }

    /** What the first bytes of a client say: a command, maybe one (show more), or not Redis. */
    public enum Looks { COMMAND, MAYBE, NO }

    private static final Set<String> INLINE = Set.of("PING", "AUTH", "HELLO", "INFO", "SELECT", "GET", "SET",
            "KEYS", "DEL", "EXISTS", "INCR", "QUIT", "MONITOR", "SUBSCRIBE", "PSUBSCRIBE", "CONFIG", "CLIENT", "DBSIZE");

    /**
     * Whether a client's first bytes are a RESP command: an array of bulk strings
     * ({@code *N\r\n$L\r\n}), or a whole inline command line of a command Redis knows that is
     * not an HTTP request line ({@code GET / HTTP/1.1} and {@code GET /x} are both).
     */
    public static Looks looksLikeCommand(ByteBuffer in) {
        int p = in.position();
        int n = Math.min(in.remaining(), 256);
        if (n == 0) {
            return Looks.MAYBE;
        }
        if (in.get(p) == '*') {
            int i = p + 1;
            while (i < p + n && Character.isDigit(in.get(i))) {
                i++;
            }
            if (i == p + 1 && n > 1) {
                return Looks.NO;
            }
            if (i + 4 > p + n) {
                return n < 32 ? Looks.MAYBE : Looks.NO;
            }
            return i > p + 1 && in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '$'
                    && Character.isDigit(in.get(i + 3)) ? Looks.COMMAND : Looks.NO;
        }
        int end = -1;
        for (int i = p; i < p + n - 1; i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n') {
                end = i;
                break;
            }
        }
        StringBuilder word = new StringBuilder();
        for (int i = p; i < p + n && Character.isLetter(in.get(i) & 0xff); i++) {
            word.append((char) (in.get(i) & 0xff));
        }
        if (!INLINE.contains(word.toString().toUpperCase(Locale.ROOT))) {
            return Looks.NO;
        }
        if (end < 0) {
            return n < 256 ? Looks.MAYBE : Looks.NO;
        }
        for (int i = p; i < end; i++) {
            int c = in.get(i) & 0xff;
            if (c < 0x20 || c > 0x7e) {
                return Looks.NO;
            }
        }
        String line = java.nio.charset.StandardCharsets.ISO_8859_1.decode(in.slice(p, end - p)).toString();
        // "GET /x HTTP/1.1" and HTTP/0.9's "GET /x" are web requests, not Redis
        return line.contains(" HTTP/") || line.startsWith(word + " /") ? Looks.NO : Looks.COMMAND;
    }

    public void onData(boolean fromClient, ByteBuffer in, long micros) {
        if (fromClient) {
            requests.decode(in, micros, this::command);
        } else {
            replies.decode(in, micros, this::reply);
        }
    }

    private void command(RespValue v, long size, long micros) {
        List<RespValue> e = v.elements();
        if (e == null || e.isEmpty() || e.getFirst().text() == null) {
            return;
        }
        String name = e.getFirst().text().toUpperCase(Locale.ROOT);
        List<String> args = new ArrayList<>(Math.min(e.size() - 1, 8));
        for (int i = 1; i < e.size() && args.size() < 8; i++) {
            String a = e.get(i).text();
            args.add(a == null ? "" : a);
        }
        if (pending.size() >= MAX_PENDING) {
            Pending p = pending.removeFirst();
            sink.accept(new RedisExchange(p.command, p.args, p.key, null, p.size, 0, p.micros, 0, false));
        }
        pending.addLast(new Pending(name, args, key(name, args), size, micros));
    }

    static String key(String command, List<String> args) {
        if (args.isEmpty() || NO_KEY.contains(command)) {
            return "";
        }
        if (command.startsWith("EVAL") || command.startsWith("FCALL")) {
            // EVAL script numkeys key [key ...]
            return args.size() > 2 && !args.get(1).equals("0") ? args.get(2) : "";
        }
        if (command.equals("XREAD") || command.equals("XREADGROUP")) {
            int streams = args.indexOf("STREAMS");
            return streams >= 0 && streams + 1 < args.size() ? args.get(streams + 1) : "";
        }
        return args.getFirst();
    }

    private void reply(RespValue v, long size, long started) {
        String kind = pushKind(v);
        if (kind != null && kind.endsWith("subscribe")) {
            Pending head = pending.peekFirst();
            if (head != null && head.command.endsWith("SUBSCRIBE")) {
                // one confirmation per channel: the first answers the command, the others are swallowed
                subscriptions = Math.max(0, head.args.size() - 1);
                kind = null;
            } else if (subscriptions > 0) {
                subscriptions--;
                return;
            }
        }
        if (kind != null || v.type() == '>') {
            String k = kind != null ? kind : "push";
            String channel = v.element(k.equals("pmessage") ? 2 : 1);
            sink.accept(new RedisExchange(k, List.of(), channel == null ? "" : channel, v, 0, size,
                    started, started, true));
            return;
        }
        Pending p = pending.pollFirst();
        if (p == null) {
            // a reply to a command we never saw (capture started mid-conversation)
            sink.accept(new RedisExchange("", List.of(), "", v, 0, size, started, started, false));
            return;
        }
        sink.accept(new RedisExchange(p.command, p.args, p.key, v, p.size, size, p.micros, started, false));
    }

    /** The pub/sub kind of a message the server sends outside the request/reply order, or null. */
    private static String pushKind(RespValue v) {
        if ((v.type() != '*' && v.type() != '>') || v.elements() == null || v.elements().size() < 2) {
            return null;
        }
        String kind = v.element(0);
        if (kind == null) {
            return null;
        }
        kind = kind.toLowerCase(Locale.ROOT);
        return PUSH_KINDS.contains(kind) ? kind : null;
    }

    /**
     * Bytes of one direction were lost: which reply answers which command is no longer known,
     * so the commands waiting come out unanswered and that direction restarts at the next value.
     */
    public void gap(boolean fromClient) {
        close();
        subscriptions = 0;
        (fromClient ? requests : replies).resynchronise();
    }

    /** Commands still waiting come out unanswered (end of capture or of the connection). */
    public void close() {
        for (Pending p : pending) {
            sink.accept(new RedisExchange(p.command, p.args, p.key, null, p.size, 0, p.micros, 0, false));
        }
        pending.clear();
    }

    public boolean broken() {
        return requests.broken() || replies.broken();
    }

    /** 1 once a direction stopped making sense as RESP (its rest is dropped), else 0. */
    public long errors() {
        return broken() ? 1 : 0;
    }

    int stringLimit() {
        return stringLimit;
    }
}
