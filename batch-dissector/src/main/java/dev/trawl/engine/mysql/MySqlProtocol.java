package dev.trawl.engine.mysql;

import dev.trawl.engine.Detection;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.TcpParser;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/**
 * MySQL (and MariaDB), recognised by the server's greeting (protocol 10), or, mid-connection,
 * by a client's COM_QUERY/COM_STMT_PREPARE packet, plain or compressed.
 */
public final class MySqlProtocol implements TcpProtocol {

    @Override
    public String name() {
        return "mysql";
    }

    @Override
    public Detection detect(ByteBuffer data, int port) {
        if (MySqlDecoder.looksLikeGreeting(data)) {
            return Detection.SERVER;
        }
        if (MySqlDecoder.looksLikeQuery(data)) {
            return Detection.CLIENT;
        }
        return Detection.NO;
    }

    @Override
    public TcpParser newParser(TcpContext context) {
        return new MySqlDescriber(context);
    }
}
