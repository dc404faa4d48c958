package dev.trawl.engine.tls;

import dev.trawl.engine.Detection;
import dev.trawl.engine.TcpProtocol;

import java.nio.ByteBuffer;

/**
 * TLS (and SSL 3.0): recognised by a handshake record holding a ClientHello (client) or a
 * ServerHello (server). The payload is encrypted; what the handshake says in clear (SNI, ALPN,
 * versions, the chosen cipher) makes one entry per handshake.
 */
public final class TlsProtocol extends TcpProtocol.Declared {

    public TlsProtocol() {
        super("tls", 40, TlsProtocol::recognise, TlsParser::new);
    }

    private static Detection recognise(ByteBuffer data, int port) {
        int p = data.position();
        int n = data.remaining();
        if (n < 1) return Detection.NEED_MORE;
        if (data.get(p) != 0x16) return Detection.NO;
        if (n < 6) return Detection.NEED_MORE;
        if (data.get(p + 1) != 3 || (data.get(p + 2) & 0xFF) > 4) return Detection.NO;
        int recLen = data.getShort(p + 3) & 0xFFFF;
        if (recLen < 4 || recLen > 18432) return Detection.NO;
        int type = data.get(p + 5);
        return switch (type) {
            case 1 -> Detection.CLIENT;
            case 2 -> Detection.SERVER;
            default -> Detection.NO;
        };
    }

}
