package dev.trawl.engine.postgresql;

import dev.trawl.engine.Detection;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.TcpParser;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/**
 * PostgreSQL, recognised by a startup packet (or SSLRequest, GSSENCRequest, CancelRequest),
 * or, mid-connection, by a Query or Parse message whose text ends where its length says.
 */
public final class PgProtocol implements TcpProtocol {

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public Detection detect(ByteBuffer data, int port) {
        if (PgDecoder.looksLikeStartup(data) || PgDecoder.looksLikeQuery(data)) {
            return Detection.CLIENT;
        }
        if (data.remaining() < 8 && data.remaining() > 0 && (data.get(data.position()) == 0
                || data.get(data.position()) == 'Q' || data.get(data.position()) == 'P')) {
            return Detection.NEED_MORE;
        }
        return Detection.NO;
    }

    @Override
    public TcpParser newParser(TcpContext context) {
        return new PgDescriber(context);
    }
}
