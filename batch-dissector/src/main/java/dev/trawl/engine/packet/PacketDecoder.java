package dev.trawl.engine.packet;

import java.nio.ByteBuffer;

/**
 * Decodes link, VLAN and IP layers down to the transport header, in place. Link types:
 * Ethernet (1), BSD loopback (0) and OpenBSD loop (108), raw IP (101, 12, 14), IPv4 (228), IPv6
 * (229), Linux SLL (113) and SLL2 (276), NFLOG (239). VLAN tags (802.1Q, 802.1ad QinQ, any
 * depth) are skipped. IPv4 and IPv6 fragments are reassembled.
 */
public final class PacketDecoder {

    public enum Result {
        /** {@link Packet} describes a transport segment. */
        OK,
        /** Not IP (ARP, LLC, CDP...): nothing to dissect, nothing wrong. */
        NOT_IP,
        /** A fragment was stored; the datagram is not complete yet. */
        FRAGMENT_HELD,
        /** The headers are inconsistent or cut short: counted as damage. */
        MALFORMED,
        /** A link type this decoder does not know. */
        UNSUPPORTED_LINK
    }

    private final FragmentReassembler fragments;
    private final int[] completed = new int[1];
    /** Why the last packet was MALFORMED, for the damage counters. */
    private String malformedReason = "";

    public PacketDecoder(long fragmentTimeoutNanos, long maxFragmentBytes) {
        this.fragments = new FragmentReassembler(fragmentTimeoutNanos, maxFragmentBytes);
    }

    public String malformedReason() {
        return malformedReason;
    }

    public long fragmentsExpired() {
        return fragments.expired;
    }

    public long fragmentsDropped() {
        return fragments.dropped;
    }

    public int fragmentsIncomplete() {
        return fragments.incomplete();
    }

    public Result decode(ByteBuffer b, int off, int len, int linkType, long ts, Packet p) {
        p.buf = b;
        p.timestampNanos = ts;
        p.truncated = false;
        int end = off + len;
        int etype;
        int at;
        switch (linkType) {
            case 1 -> { // Ethernet
                if (len < 14) return malformed("ethernet_truncated");
                etype = u16(b, off + 12);
                at = off + 14;
            }
            case 113 -> { // Linux cooked v1
                if (len < 16) return malformed("sll_truncated");
                etype = u16(b, off + 14);
                at = off + 16;
            }
            case 276 -> { // Linux cooked v2
                if (len < 20) return malformed("sll2_truncated");
                etype = u16(b, off);
                at = off + 20;
            }
            case 0, 108 -> { // BSD loopback: address family, in the writer's byte order (0) or network order (108)
                if (len < 4) return malformed("loopback_truncated");
                int fam = b.getInt(off);
                int famLe = Integer.reverseBytes(fam);
                if (fam == 2 || famLe == 2) etype = 0x0800;
                else if (isInet6Family(fam) || isInet6Family(famLe)) etype = 0x86DD;
                else return Result.NOT_IP;
                at = off + 4;
            }
            case 101, 12, 14 -> { // raw IP, version from the first nibble
                if (len < 1) return malformed("ip_truncated");
                int v = (b.get(off) & 0xF0) >> 4;
                if (v == 4) etype = 0x0800;
                else if (v == 6) etype = 0x86DD;
                else return malformed("ip_bad_version");
                at = off;
            }
            case 228 -> { etype = 0x0800; at = off; }
            case 229 -> { etype = 0x86DD; at = off; }
            case 239 -> { // NFLOG: TLVs, little-endian lengths; type 9 is the packet
                if (len < 4) return malformed("nflog_truncated");
                int fam = b.get(off) & 0xFF;
                int t = off + 4;
                int payload = -1, payloadLen = 0;
                while (t + 4 <= end) {
                    int tlvLen = Short.reverseBytes(b.getShort(t)) & 0xFFFF;
                    int tlvType = Short.reverseBytes(b.getShort(t + 2)) & 0xFFFF;
                    if (tlvLen < 4 || t + tlvLen > end) break;
                    if (tlvType == 9) {
                        payload = t + 4;
                        payloadLen = tlvLen - 4;
                        break;
                    }
                    t += (tlvLen + 3) & ~3;
                }
                if (payload < 0) return Result.NOT_IP;
                etype = fam == 10 ? 0x86DD : 0x0800;
                at = payload;
                end = payload + payloadLen;
            }
            default -> { return Result.UNSUPPORTED_LINK; }
        }
        // VLAN tags, any depth (802.1Q, 802.1ad, the old QinQ types)
        while (etype == 0x8100 || etype == 0x88A8 || etype == 0x9100 || etype == 0x9200) {
            if (at + 4 > end) return malformed("vlan_truncated");
            etype = u16(b, at + 2);
            at += 4;
        }
        if (etype == 0x0800) return ipv4(b, at, end, p);
        if (etype == 0x86DD) return ipv6(b, at, end, p);
        return Result.NOT_IP;
    }

    private static boolean isInet6Family(int f) {
        return f == 10 || f == 24 || f == 28 || f == 30;
    }

    private Result ipv4(ByteBuffer b, int at, int end, Packet p) {
        int have = end - at;
        if (have < 20) return malformed("ip4_truncated");
        int vihl = b.get(at) & 0xFF;
        if (vihl >> 4 != 4) return malformed("ip4_bad_version");
        int ihl = (vihl & 15) * 4;
        if (ihl < 20) return malformed("ip4_bad_header_length");
        if (ihl > have) return malformed("ip4_truncated");
        int total = u16(b, at + 2);
        if (total < ihl) {
            // TSO captures report 0; take what was captured
            if (total != 0) return malformed("ip4_bad_total_length");
            total = have;
        }
        if (total > have) {
            p.truncated = true;
            total = have;
        }
        int frag = u16(b, at + 6);
        boolean more = (frag & 0x2000) != 0;
        int fragOffset = (frag & 0x1FFF) * 8;
        p.ipVersion = 4;
        p.srcHi = 0;
        p.srcLo = Packet.v4Lo(b.getInt(at + 12));
        p.dstHi = 0;
        p.dstLo = Packet.v4Lo(b.getInt(at + 16));
        p.protocol = b.get(at + 9) & 0xFF;
        p.l4Offset = at + ihl;
        p.l4Length = total - ihl;
        if (more || fragOffset != 0) {
            // a first fragment cut by the snaplen cannot be completed; its head is still worth reading
            if (p.truncated) return fragOffset == 0 ? Result.OK : malformed("ip_fragment_truncated");
            int id = u16(b, at + 4);
            return reassembled(4, id, fragOffset, more, p);
        }
        return Result.OK;
    }

    private Result ipv6(ByteBuffer b, int at, int end, Packet p) {
        int have = end - at;
        if (have < 40) return malformed("ip6_truncated");
        if ((b.get(at) & 0xF0) != 0x60) return malformed("ip6_bad_version");
        int plen = u16(b, at + 4);
        int next = b.get(at + 6) & 0xFF;
        p.ipVersion = 6;
        p.srcHi = b.getLong(at + 8);
        p.srcLo = b.getLong(at + 16);
        p.dstHi = b.getLong(at + 24);
        p.dstLo = b.getLong(at + 32);
        int stop = at + 40 + plen;
        if (plen == 0) stop = end; // jumbogram (BIG TCP): the length is in a hop-by-hop option; trust the capture
        if (stop > end) {
            p.truncated = true;
            stop = end;
        }
        int h = at + 40;
        boolean fragment = false;
        int fragOffset = 0;
        boolean more = false;
        long id = 0;
        for (int guard = 0; guard < 16; guard++) {
            switch (next) {
                case 0, 43, 60 -> { // hop-by-hop, routing, destination options
                    if (h + 8 > stop) return malformed("ip6_ext_truncated");
                    int n = b.get(h) & 0xFF;
                    int hl = ((b.get(h + 1) & 0xFF) + 1) * 8;
                    next = n;
                    h += hl;
                }
                case 51 -> { // authentication header
                    if (h + 8 > stop) return malformed("ip6_ext_truncated");
                    int n = b.get(h) & 0xFF;
                    int hl = ((b.get(h + 1) & 0xFF) + 2) * 4;
                    next = n;
                    h += hl;
                }
                case 44 -> {
                    if (h + 8 > stop) return malformed("ip6_ext_truncated");
                    int n = b.get(h) & 0xFF;
                    int fo = u16(b, h + 2);
                    fragOffset = fo & 0xFFF8;
                    more = (fo & 1) != 0;
                    id = b.getInt(h + 4) & 0xFFFFFFFFL;
                    fragment = fragOffset != 0 || more; // an atomic fragment is a whole packet
                    next = n;
                    h += 8;
                }
                default -> {
                    if (h > stop) return malformed("ip6_ext_truncated");
                    p.protocol = next;
                    p.l4Offset = h;
                    p.l4Length = stop - h;
                    if (fragment) {
                        if (p.truncated) return fragOffset == 0 ? Result.OK : malformed("ip_fragment_truncated");
                        return reassembled(6, id, fragOffset, more, p);
                    }
                    return Result.OK;
                }
            }
        }
        return malformed("ip6_too_many_extensions");
    }

    private Result reassembled(int version, long id, int fragOffset, boolean more, Packet p) {
        byte[] whole = fragments.offer(version, p.srcHi, p.srcLo, p.dstHi, p.dstLo, id, p.protocol,
                fragOffset, more, p.buf, p.l4Offset, p.l4Length, p.timestampNanos, completed);
        if (whole == null) return Result.FRAGMENT_HELD;
        p.buf = ByteBuffer.wrap(whole, 0, completed[0]);
        p.l4Offset = 0;
        p.l4Length = completed[0];
        return Result.OK;
    }

    private Result malformed(String reason) {
        malformedReason = reason;
        return Result.MALFORMED;
    }

    static int u16(ByteBuffer b, int i) {
        return b.getShort(i) & 0xFFFF;
    }
}
