package dev.trawl.engine;

import dev.trawl.core.chunk.Workload;
import dev.trawl.engine.packet.Packet;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Who owned each IP address while a capture was taken (the table of a chunk's meta), keyed by
 * the text form the engine gives addresses, so an entry's {@code src_ip}/{@code dst_ip} finds
 * its pod, namespace and service whatever form the table was written in.
 */
public final class Workloads {
    public static final Workloads NONE = new Workloads(Map.of());

    private final Map<String, Workload> byAddress;

    private Workloads(Map<String, Workload> byAddress) {
        this.byAddress = byAddress;
    }

    /** From a meta's table; keys that are not IP literals (a malformed table) are left out. */
    public static Workloads of(Map<String, Workload> table) {
        if (table == null || table.isEmpty()) return NONE;
        Map<String, Workload> m = new HashMap<>();
        table.forEach((ip, w) -> {
            String key = canonical(ip);
            if (key != null && w != null) m.put(key, w);
        });
        return m.isEmpty() ? NONE : new Workloads(Map.copyOf(m));
    }

    /** Names the entry's ends that the table knows and the parser left unnamed. */
    void name(Entry.Builder entry) {
        Workload src = byAddress.get(entry.srcIp());
        if (src != null) {
            if (entry.srcPod().isEmpty()) entry.srcPod(src.pod());
            if (entry.srcNamespace().isEmpty()) entry.srcNamespace(src.namespace());
            if (entry.srcService().isEmpty()) entry.srcService(src.service());
        }
        Workload dst = byAddress.get(entry.dstIp());
        if (dst != null) {
            if (entry.dstPod().isEmpty()) entry.dstPod(dst.pod());
            if (entry.dstNamespace().isEmpty()) entry.dstNamespace(dst.namespace());
            if (entry.dstService().isEmpty()) entry.dstService(dst.service());
        }
    }

    /** Who held the address (in the engine's text form), or null. */
    public Workload of(String ip) {
        return byAddress.get(ip);
    }

    private static String canonical(String ip) {
        if (ip == null || ip.isBlank()) return null;
        byte[] b;
        try {
            b = InetAddress.ofLiteral(ip.strip()).getAddress();
        } catch (IllegalArgumentException notAnAddress) {
            return null;
        }
        long hi = 0, lo = 0;
        if (b.length == 4) {
            // the engine holds IPv4 as IPv4-mapped IPv6, which Packet.format writes dotted
            lo = 0xFFFF_0000_0000L | ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
        } else {
            for (int i = 0; i < 8; i++) hi = (hi << 8) | (b[i] & 0xFF);
            for (int i = 8; i < 16; i++) lo = (lo << 8) | (b[i] & 0xFF);
        }
        return Packet.format(hi, lo);
    }
}
