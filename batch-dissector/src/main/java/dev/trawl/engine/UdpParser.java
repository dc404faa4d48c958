package dev.trawl.engine;

import java.nio.ByteBuffer;

/** Parses the datagrams of one protocol for a whole dissection. */
public interface UdpParser {

    /**
     * A datagram from {@code srcIp:srcPort} to {@code dstIp:dstPort}; the payload view is valid
     * during the call only.
     */
    void onDatagram(String srcIp, int srcPort, String dstIp, int dstPort, ByteBuffer payload, long timestampNanos);

    /** Packet time moved on: emit transactions older than the engine's timeout as unanswered. */
    void onTime(long timestampNanos);

    /** The input ended: emit everything still open. */
    void onEnd();
}
