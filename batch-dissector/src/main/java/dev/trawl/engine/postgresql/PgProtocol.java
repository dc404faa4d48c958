package dev.trawl.engine.postgresql;

import dev.trawl.engine.Detection;
import dev.trawl.engine.Framing;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/**
 * PostgreSQL, recognised by a startup packet (or SSLRequest, GSSENCRequest, CancelRequest),
 * or, mid-connection, by a Query or Parse message whose text ends where its length says, or
 * by typed messages that chain: a pooled connection's Syncs, or the server's ReadyForQuery.
 */
public final class PgProtocol extends TcpProtocol.Declared {

    public PgProtocol() {
        super("postgresql", PgProtocol::recognise, PgDescriber::new);
    }

    private static Detection recognise(ByteBuffer data, int port) {
        if (PgDecoder.looksLikeStartup(data) || PgDecoder.looksLikeQuery(data)) {
            return Detection.CLIENT;
        }
        if (data.remaining() < 8 && data.remaining() > 0 && (data.get(data.position()) == 0
                || data.get(data.position()) == 'Q' || data.get(data.position()) == 'P')) {
            return Detection.NEED_MORE;
        }
        return Framing.detect(data, 3, MESSAGES);
    }

    /** A type byte and a length; the types only one side sends say which side this is. */
    private static final Framing.Message MESSAGES = new Framing.Message() {
        @Override
        public int length(ByteBuffer data, int at) {
            if (data.limit() - at < 5) {
                return 0;
            }
            int length = data.getInt(at + 1);
            return length < 4 || length > PgDecoder.MAX_PARSED ? -1 : 1 + length;
        }

        @Override
        public Detection sender(ByteBuffer data, int at, int length, int previous) {
            int body = length - 5;
            boolean endsWithNul = body > 0 && data.get(at + length - 1) == 0;
            return switch ((char) data.get(at)) {
                case 'Q', 'P' -> endsWithNul || data.get(at) == 'P' && body >= 4 ? Detection.CLIENT : Detection.NO;
                case 'B' -> body >= 8 ? Detection.CLIENT : Detection.NO;
                case 'H', 'X' -> body == 0 ? Detection.CLIENT : Detection.NO;   // Flush, Terminate
                case 'F', 'f', 'p' -> Detection.CLIENT;
                case 'S' -> body == 0 ? Detection.CLIENT : endsWithNul ? Detection.SERVER : Detection.NO; // Sync, ParameterStatus
                case 'Z' -> body == 1 && "ITE".indexOf(data.get(at + 5)) >= 0 ? Detection.SERVER : Detection.NO;
                case 'K' -> body == 8 ? Detection.SERVER : Detection.NO;
                case '1', '2', '3', 'n', 's', 'I' -> body == 0 ? Detection.SERVER : Detection.NO;
                case 'T', 't', 'R', 'N', 'A', 'V', 'G', 'W' -> Detection.SERVER;
                case 'C', 'E' -> endsWithNul || data.get(at) == 'E' ? Detection.NEED_MORE : Detection.NO;
                case 'D', 'd', 'c' -> Detection.NEED_MORE;    // both sides send these
                default -> Detection.NO;
            };
        }
    };

}
