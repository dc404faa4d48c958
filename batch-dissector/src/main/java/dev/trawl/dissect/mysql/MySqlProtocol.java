package dev.trawl.dissect.mysql;

import dev.trawl.dissect.Detection;
import dev.trawl.dissect.TcpContext;
import dev.trawl.dissect.TcpParser;
import dev.trawl.dissect.TcpProtocol;
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
        if (MySqlConnection.looksLikeGreeting(data)) {
            return Detection.SERVER;
        }
        if (MySqlConnection.looksLikeQuery(data)) {
            return Detection.CLIENT;
        }
        return Detection.NO;
    }

    @Override
    public TcpParser newParser(TcpContext context) {
        return new MySqlParser(context);
    }
}
