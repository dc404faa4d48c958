package dev.trawl.core.export;

import dev.trawl.core.export.PacketMerge.PacketFilter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * Keeps the IP packets with an end in a set of addresses ({@code host a or host b ...} in BPF
 * terms, without BPF's compile cost, which grows too fast for the pods of a large service).
 * Reads the link layers capture writes: Ethernet (with VLAN tags), Linux cooked v1/v2, BSD
 * loopback and raw IP. A packet that is not IP has no end in the set.
 */
public final class EndpointFilter implements PacketFilter {
    private final Set<ByteBuffer> addresses = new HashSet<>();

    /** {@code addresses} in text form (IPv4 or IPv6 literals; anything else is left out). */
    public EndpointFilter(Set<String> addresses) {
        for (String a : addresses) {
            byte[] raw = literal(a);
            if (raw != null) this.addresses.add(ByteBuffer.wrap(raw));
        }
    }

    public boolean isEmpty() {
        return addresses.isEmpty();
    }

    private static byte[] literal(String text) {
        if (text == null || text.isBlank() || !(text.indexOf(':') >= 0 || text.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) return null;
        try {
            // a literal only (checked above): no name lookup happens
            return InetAddress.getByName(text.strip()).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    @Override
    public boolean accept(int linkType, ByteBuffer data, int originalLength) {
        int p = data.position(), end = data.limit();
        int etype;
        int at;
        switch (linkType) {
            case 1 -> {
                if (end - p < 14) return false;
                etype = u16(data, p + 12);
                at = p + 14;
                while ((etype == 0x8100 || etype == 0x88A8) && at + 4 <= end) {
                    etype = u16(data, at + 2);
                    at += 4;
                }
            }
            case 113 -> {
                if (end - p < 16) return false;
                etype = u16(data, p + 14);
                at = p + 16;
            }
            case 276 -> {
                if (end - p < 20) return false;
                etype = u16(data, p);
                at = p + 20;
            }
            case 0, 108 -> {
                at = p + 4;
                etype = -1; // from the IP version below
            }
            case 101, 12, 14, 228, 229 -> {
                at = p;
                etype = -1;
            }
            default -> {
                return false;
            }
        }
        if (at >= end) return false;
        int version = (data.get(at) & 0xF0) >> 4;
        if (version == 4 && (etype == 0x0800 || etype == -1)) return has(data, at + 12, 4, end) || has(data, at + 16, 4, end);
        if (version == 6 && (etype == 0x86DD || etype == -1)) return has(data, at + 8, 16, end) || has(data, at + 24, 16, end);
        return false;
    }

    private boolean has(ByteBuffer data, int from, int length, int end) {
        if (from + length > end) return false;
        return addresses.contains(data.slice(from, length));
    }

    private static int u16(ByteBuffer b, int i) {
        return b.getShort(i) & 0xFFFF;
    }
}
