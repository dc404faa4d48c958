package dev.trawl.core.pcap;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * How the record writers (pcap and pcapng) move a packet's bytes: into their record buffer when
 * the bytes fit, else straight to the stream after the buffer, so a large packet costs no copy
 * and the order on the stream stays the order written.
 */
public final class RecordBytes {
    private RecordBytes() {}

    /**
     * Puts {@code length} bytes of {@code data} (from its position, which is left as it is) after
     * what {@code buffer} holds; {@code reserve} bytes must stay free in the buffer afterwards.
     */
    public static void put(ByteBuffer buffer, OutputStream out, ByteBuffer data, int length, int reserve) throws IOException {
        if (buffer.remaining() >= length + reserve) {
            buffer.put(buffer.position(), data, data.position(), length);
            buffer.position(buffer.position() + length);
            return;
        }
        drain(buffer, out);
        if (data.hasArray()) {
            out.write(data.array(), data.arrayOffset() + data.position(), length);
        } else {
            byte[] copy = new byte[length];
            data.get(data.position(), copy);
            out.write(copy);
        }
    }

    /** Writes what {@code buffer} holds (a heap buffer) to {@code out} and empties it. */
    public static void drain(ByteBuffer buffer, OutputStream out) throws IOException {
        out.write(buffer.array(), 0, buffer.position());
        buffer.clear();
    }
}
