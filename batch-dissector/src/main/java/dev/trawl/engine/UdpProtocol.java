package dev.trawl.engine;

import java.nio.ByteBuffer;

/**
 * A protocol carried in UDP datagrams. One {@link UdpParser} per dissection holds the pairing
 * state (e.g. DNS queries waiting for responses by transaction id). Registered like
 * {@link TcpProtocol}, in {@code META-INF/services/dev.trawl.engine.UdpProtocol}.
 */
public interface UdpProtocol {

    String name();

    /** Whether this datagram is this protocol's; ports are hints, content decides. */
    boolean matches(ByteBuffer payload, int srcPort, int dstPort);

    UdpParser newParser(UdpContext context);

    default int priority() {
        return 100;
    }
}
