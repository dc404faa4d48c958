package dev.trawl.core.export;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A time-ordered stream of packets from one node: the input of {@link PacketMerge}. A cursor
 * like {@link dev.trawl.core.pcap.PcapReader}: {@link #next()} moves, the accessors describe the
 * current packet, and {@link #data()} is valid only until the next move.
 */
public interface PacketCursor extends AutoCloseable {
    /** The node the packets were captured on (names the pcapng interface). */
    String node();

    boolean next() throws IOException;

    long timestampNanos();

    int linkType();

    int originalLength();

    /** The captured bytes of the current packet (position to limit). */
    ByteBuffer data();

    @Override
    void close() throws IOException;
}
