package dev.trawl.core.export;

import dev.trawl.core.pcap.RecordBytes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * pcapng output: one section, one interface per (node, link type), named after the node
 * ({@code if_name}), with nanosecond timestamps ({@code if_tsresol} 9). So nodes whose link
 * types differ merge into one file that Wireshark shows per interface. An interface block is
 * written just before its first packet (pcapng allows them anywhere in the section).
 */
public final class PcapngSink implements PacketSink {
    private static final int SHB = 0x0A0D0D0A;
    private static final int IDB = 1;
    private static final int EPB = 6;
    private static final int SNAPLEN = 0; // no limit

    private final OutputStream out;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private final Map<String, Integer> interfaces = new HashMap<>();
    private long packets;

    public PcapngSink(OutputStream out, String application) throws IOException {
        this.out = out;
        byte[] app = application.getBytes(StandardCharsets.UTF_8);
        int optLen = 4 + pad(app.length) + 4; // shb_userappl + opt_endofopt
        int len = 28 + optLen;
        buf.putInt(SHB).putInt(len).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1L);
        option(4, app);
        buf.putInt(0);
        buf.putInt(len);
    }

    @Override
    public void write(String node, int linkType, long timestampNanos, ByteBuffer data, int originalLength) throws IOException {
        Integer id = interfaces.get(key(node, linkType));
        if (id == null) id = addInterface(node, linkType);
        int cap = data.remaining();
        int len = 32 + pad(cap);
        if (buf.remaining() < 28) flushBuffer();
        buf.putInt(EPB).putInt(len).putInt(id);
        buf.putInt((int) (timestampNanos >>> 32)).putInt((int) timestampNanos);
        buf.putInt(cap).putInt(Math.max(originalLength, cap));
        RecordBytes.put(buf, out, data, cap, pad(cap) - cap + 4); // room for the padding and the trailing length
        for (int i = cap; i < pad(cap); i++) buf.put((byte) 0);
        buf.putInt(len);
        packets++;
    }

    private int addInterface(String node, int linkType) throws IOException {
        int id = interfaces.size();
        interfaces.put(key(node, linkType), id);
        byte[] name = node.getBytes(StandardCharsets.UTF_8);
        byte[] description = ("trawl node " + node + ", link type " + linkType).getBytes(StandardCharsets.UTF_8);
        int optLen = (4 + pad(name.length)) + (4 + pad(description.length)) + (4 + 4) + 4;
        int len = 20 + optLen;
        if (buf.remaining() < len) flushBuffer();
        buf.putInt(IDB).putInt(len).putShort((short) linkType).putShort((short) 0).putInt(SNAPLEN);
        option(2, name);
        option(3, description);
        buf.putShort((short) 9).putShort((short) 1).put((byte) 9).put((byte) 0).putShort((short) 0);
        buf.putInt(0);
        buf.putInt(len);
        return id;
    }

    private void option(int code, byte[] value) {
        buf.putShort((short) code).putShort((short) value.length).put(value);
        for (int i = value.length; i < pad(value.length); i++) buf.put((byte) 0);
    }

    private static int pad(int n) {
        return (n + 3) & ~3;
    }

    private static String key(String node, int linkType) {
        return node + '\0' + linkType;
    }

    @Override
    public long packetCount() {
        return packets;
    }

    private void flushBuffer() throws IOException {
        RecordBytes.drain(buf, out);
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
