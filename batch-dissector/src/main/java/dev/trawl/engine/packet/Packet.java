package dev.trawl.engine.packet;

import java.nio.ByteBuffer;

/**
 * The decoded layers of the current packet, filled in place by {@link PacketDecoder} and reused
 * for every packet: the engine allocates nothing per packet on its way to the transport layer.
 * Addresses are two longs each; an IPv4 address is stored as its IPv4-mapped IPv6 form.
 */
public final class Packet {
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMP = 1;
    public static final int ICMPV6 = 58;

    public ByteBuffer buf;
    public long timestampNanos;
    public int ipVersion;
    public long srcHi, srcLo, dstHi, dstLo;
    public int protocol;
    /** Transport header and payload: {@code [l4Offset, l4Offset + l4Length)} in {@link #buf}. */
    public int l4Offset;
    public int l4Length;
    /** The IP packet claims more bytes than were captured. */
    public boolean truncated;

    static long v4Lo(int address) {
        return 0x0000FFFF_00000000L | (address & 0xFFFFFFFFL);
    }

    public static boolean isV4(long hi, long lo) {
        return hi == 0 && (lo >>> 32) == 0xFFFF;
    }

    /** The text form of an address (dotted IPv4, or RFC 5952 IPv6). */
    public static String format(long hi, long lo) {
        if (isV4(hi, lo)) {
            int a = (int) lo;
            return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
            g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
        }
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
