package dev.trawl.capture.chunk;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a chunk the way libpcap's dumper does with nanosecond precision (little-endian, magic
 * {@code a1b23c4d}), for replay; a live capture writes through libpcap itself.
 */
public final class PcapChunkWriter implements AutoCloseable {
    private final OutputStream out;
    private final ByteBuffer record = ByteBuffer.allocate(PcapChunkFile.RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private final int snaplen;
    private long bytes;
    private long packets;

    public PcapChunkWriter(Path file, int linkType, int snaplen) throws IOException {
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        this.snaplen = snaplen;
        ByteBuffer h = ByteBuffer.allocate(PcapChunkFile.FILE_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(PcapChunkFile.MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(snaplen).putInt(linkType);
        out.write(h.array());
        bytes = PcapChunkFile.FILE_HEADER;
    }

    /** Writes one packet, cut to the snaplen like a capture would. */
    public void write(long epochNanos, byte[] data, int length, int originalLength) throws IOException {
        int incl = Math.min(length, snaplen);
        record.clear();
        record.putInt((int) Math.floorDiv(epochNanos, 1_000_000_000L))
                .putInt((int) Math.floorMod(epochNanos, 1_000_000_000L))
                .putInt(incl)
                .putInt(Math.max(originalLength, length));
        out.write(record.array());
        out.write(data, 0, incl);
        bytes += PcapChunkFile.RECORD_HEADER + incl;
        packets++;
    }

    public long bytes() {
        return bytes;
    }

    public long packets() {
        return packets;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
