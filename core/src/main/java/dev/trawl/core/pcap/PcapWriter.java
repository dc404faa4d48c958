package dev.trawl.core.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes a classic pcap file (little-endian, µs or ns timestamps) to a stream: a global header,
 * then one record per {@link #write} call. Buffered internally; {@link #close()} flushes and
 * closes the stream.
 */
public final class PcapWriter implements AutoCloseable {
    public static final int LINKTYPE_NULL = 0;
    public static final int LINKTYPE_ETHERNET = 1;
    public static final int LINKTYPE_RAW = 101;
    public static final int LINKTYPE_LINUX_SLL = 113;
    public static final int LINKTYPE_IPV4 = 228;
    public static final int LINKTYPE_IPV6 = 229;
    public static final int LINKTYPE_LINUX_SLL2 = 276;

    private final OutputStream out;
    private final boolean nanos;
    private final int snaplen;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long records;

    public PcapWriter(OutputStream out, int linkType, boolean nanosecondTimestamps) throws IOException {
        this(out, linkType, nanosecondTimestamps, 262_144);
    }

    public PcapWriter(OutputStream out, int linkType, boolean nanosecondTimestamps, int snaplen) throws IOException {
        this.out = out;
        this.nanos = nanosecondTimestamps;
        this.snaplen = snaplen;
        buf.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4);
        buf.putShort((short) 2).putShort((short) 4);
        buf.putInt(0).putInt(0);
        buf.putInt(snaplen);
        buf.putInt(linkType);
    }

    /** Writes one packet; {@code data}'s remaining bytes (cut at the snaplen) are its captured bytes. The buffer's position is not changed. */
    public void write(long timestampNanos, ByteBuffer data, int originalLength) throws IOException {
        int cap = Math.min(data.remaining(), snaplen);
        if (buf.remaining() < 16) flushBuffer();
        long sec = Math.floorDiv(timestampNanos, 1_000_000_000L);
        long frac = Math.floorMod(timestampNanos, 1_000_000_000L);
        buf.putInt((int) sec);
        buf.putInt((int) (nanos ? frac : frac / 1000));
        buf.putInt(cap);
        buf.putInt(Math.max(originalLength, cap));
        RecordBytes.put(buf, out, data, cap, 0);
        records++;
    }

    public void write(long timestampNanos, byte[] data) throws IOException {
        write(timestampNanos, ByteBuffer.wrap(data), data.length);
    }

    public long recordCount() {
        return records;
    }

    private void flushBuffer() throws IOException {
        RecordBytes.drain(buf, out);
    }

    public void flush() throws IOException {
        flushBuffer();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            flushBuffer();
        } finally {
            out.close();
        }
    }
}
