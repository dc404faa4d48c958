package dev.trawl.core.export;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Where merged packets go: a pcap or a pcapng file. */
public interface PacketSink extends AutoCloseable {
    void write(String node, int linkType, long timestampNanos, ByteBuffer data, int originalLength) throws IOException;

    long packetCount();

    @Override
    void close() throws IOException;
}
