package dev.trawl.engine.mysql;

import dev.trawl.engine.Detection;
import dev.trawl.engine.Framing;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/**
 * MySQL (and MariaDB), recognised by the server's greeting (protocol 10), or, mid-connection,
 * by a client's COM_QUERY/COM_STMT_PREPARE packet, plain or compressed, or by packets that
 * chain: a pooled connection's COM_PINGs, or the server's answers to them.
 */
public final class MySqlProtocol extends TcpProtocol.Declared {

    public MySqlProtocol() {
        super("mysql", MySqlProtocol::recognise, MySqlDescriber::new);
    }

    private static Detection recognise(ByteBuffer data, int port) {
        if (MySqlDecoder.looksLikeGreeting(data)) {
            return Detection.SERVER;
        }
        if (MySqlDecoder.looksLikeQuery(data)) {
            return Detection.CLIENT;
        }
        return Framing.detect(data, 3, PACKETS);
    }

    /** A command starts a client's packet sequence (0); the server's answers count on from 1. */
    private static final Framing.Message PACKETS = new Framing.Message() {
        @Override
        public int length(ByteBuffer data, int at) {
            if (data.limit() - at < 4) {
                return 0;
            }
            int length = (data.get(at) & 0xff) | (data.get(at + 1) & 0xff) << 8 | (data.get(at + 2) & 0xff) << 16;
            return length == 0 ? -1 : 4 + length;
        }

        @Override
        public Detection sender(ByteBuffer data, int at, int length, int previous) {
            int sequence = data.get(at + 3) & 0xff;
            if (sequence == 0) {
                return command(data, at + 4, length - 4) ? Detection.CLIENT : Detection.NO;
            }
            if (previous >= 0 && sequence != 1 && sequence != (data.get(previous + 3) & 0xff) + 1) {
                return Detection.NO;
            }
            return sequence != 1 || answer(data, at + 4, length - 4) ? Detection.SERVER : Detection.NO;
        }
    };

    /** A command byte with the payload length that command has. */
    private static boolean command(ByteBuffer data, int p, int n) {
        return switch (data.get(p) & 0xff) {
            case 0x01, 0x09, 0x0a, 0x0d, 0x0e, 0x1f -> n == 1;  // QUIT, STATISTICS, PROCESS_INFO, DEBUG, PING, RESET_CONNECTION
            case 0x02, 0x03, 0x16 -> n >= 2 && text(data.get(p + 1));  // INIT_DB, QUERY, STMT_PREPARE
            case 0x0c, 0x19, 0x1a -> n == 5;  // PROCESS_KILL, STMT_CLOSE, STMT_RESET
            case 0x17 -> n >= 10;  // STMT_EXECUTE: statement id, flags, iteration count
            case 0x1b -> n == 3;  // SET_OPTION
            case 0x1c -> n == 9;  // STMT_FETCH
            default -> false;
        };
    }

    /** SQL text, or a query attributes count of 0 before it. */
    private static boolean text(byte b) {
        return b == 0 || b == '\t' || b == '\n' || b == '\r' || (b >= 0x20 && b < 0x7f);
    }

    /** The first packet of an answer: OK, ERR, EOF, or a result set's column count. */
    private static boolean answer(ByteBuffer data, int p, int n) {
        int first = data.get(p) & 0xff;
        return switch (first) {
            case 0x00 -> n >= 7;
            case 0xff -> n >= 3;
            case 0xfe -> n >= 5 && n < 0xffffff;
            case 0xfc -> n == 3;
            default -> first <= 0xfa && n == 1;
        };
    }

}
