package dev.trawl.core.export;

import dev.trawl.core.pcap.PcapWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Classic pcap output with nanosecond timestamps (nothing a capture recorded is rounded away).
 * One link type per file: packets of another link type are refused, so the caller asks for
 * pcapng instead of getting a file that misreads them.
 */
public final class PcapSink implements PacketSink {
    private final PcapWriter writer;
    private final int linkType;

    public PcapSink(OutputStream out, int linkType) throws IOException {
        this.writer = new PcapWriter(out, linkType, true);
        this.linkType = linkType;
    }

    @Override
    public void write(String node, int packetLinkType, long timestampNanos, ByteBuffer data, int originalLength) throws IOException {
        if (packetLinkType != linkType) {
            throw new IllegalStateException("node " + node + " has link type " + packetLinkType + " in a pcap of link type "
                    + linkType + ": use pcapng");
        }
        writer.write(timestampNanos, data, originalLength);
    }

    @Override
    public long packetCount() {
        return writer.recordCount();
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    /** Bytes a record of {@code capturedLength} takes in this format (header included). */
    public static long recordSize(int capturedLength) {
        return 16L + capturedLength;
    }

    public static final int FILE_HEADER_SIZE = 24;
}
