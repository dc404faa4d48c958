package dev.trawl.engine;

import java.nio.ByteBuffer;

/**
 * Detection from the middle of a connection, where no handshake says what the bytes are: a
 * protocol claims one direction's bytes once its framing holds for several whole messages in
 * a row from the first byte held (keep-alives such as MySQL's COM_PING or PostgreSQL's Sync
 * are short and carry little to recognise, but three that chain exactly rarely happen by
 * chance). The messages also say who sent them: a request's shape is the client's, an
 * answer's the server's, whatever the ports.
 */
public final class Framing {
    /** A message longer than this cannot be held while detecting, so it cannot count. */
    public static final int MAX_MESSAGE = 64 * 1024;

    /** One protocol's view of a message that starts at an absolute index of the bytes held. */
    public interface Message {
        /**
         * The whole message's length from {@code at} if its header is this protocol's, 0 when
         * fewer bytes than its header are there, -1 when no message of this protocol starts there.
         */
        int length(ByteBuffer data, int at);

        /**
         * Who sends the whole message at {@code at} ({@code length} bytes, all present):
         * {@link Detection#CLIENT}, {@link Detection#SERVER}, {@link Detection#NEED_MORE} when
         * either side could, {@link Detection#NO} when its content breaks the protocol.
         * {@code previous} is where the message before it in the run began, or -1.
         */
        Detection sender(ByteBuffer data, int at, int length, int previous);
    }

    private Framing() {}

    /**
     * Walks whole messages from the position: the sender once at least {@code messages} of
     * them chain and one of them says who sends them; {@link Detection#NEED_MORE} while the
     * run holds but is shorter; {@link Detection#NO} once a message breaks it.
     */
    public static Detection detect(ByteBuffer data, int messages, Message message) {
        return detect(data, messages, message, Detection.NEED_MORE);
    }

    /** As above, but {@code undecided} once enough messages chain and none of them says who sends them. */
    public static Detection detect(ByteBuffer data, int messages, Message message, Detection undecided) {
        int at = data.position();
        int previous = -1;
        int whole = 0;
        Detection sender = Detection.NEED_MORE;
        while (at < data.limit()) {
            int length = message.length(data, at);
            if (length < 0 || length > MAX_MESSAGE) {
                Detection verdict = whole >= messages ? decided(sender, undecided) : Detection.NO;
                return verdict == Detection.NEED_MORE ? Detection.NO : verdict;
            }
            if (length == 0 || length > data.limit() - at) {
                break;
            }
            Detection s = message.sender(data, at, length, previous);
            if (s == Detection.NO || (s != Detection.NEED_MORE && sender != Detection.NEED_MORE && s != sender)) {
                return Detection.NO;
            }
            if (s != Detection.NEED_MORE) {
                sender = s;
            }
            previous = at;
            at += length;
            whole++;
        }
        return whole >= messages ? decided(sender, undecided) : Detection.NEED_MORE;
    }

    private static Detection decided(Detection sender, Detection undecided) {
        return sender == Detection.NEED_MORE ? undecided : sender;
    }
}
