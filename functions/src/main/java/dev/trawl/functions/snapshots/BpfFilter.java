package dev.trawl.functions.snapshots;

import dev.trawl.core.export.PacketMerge.PacketFilter;
import dev.trawl.functions.web.ApiException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * A BPF expression compiled by libpcap itself (in-process, through pcap4j), once per link type
 * present, and run per packet with {@code pcap_offline_filter}: exactly tcpdump's semantics.
 */
public final class BpfFilter implements PacketFilter, AutoCloseable {
    private static final Object LIBPCAP_COMPILER = new Object(); // pcap_compile is not re-entrant in older libpcaps
    private static final int SNAPLEN = 262_144;
    private final Map<Integer, BpfProgram> programs = new HashMap<>();
    /** Link types the expression cannot apply to: compiled once, not again for each of their packets. */
    private final Set<Integer> matchNothing = new java.util.HashSet<>();
    private final String expression;
    private byte[] scratch = new byte[2048];

    private BpfFilter(String expression) {
        this.expression = expression;
    }

    /** Compiles {@code expression} for each link type; a bad expression is a 400 with libpcap's message. */
    public static BpfFilter compile(String expression, Set<Integer> linkTypes) {
        BpfFilter filter = new BpfFilter(expression);
        try {
            for (int linkType : linkTypes) {
                filter.programs.put(linkType, compileFor(linkType, expression));
            }
        } catch (PcapNativeException e) {
            filter.close();
            throw new ApiException.BadRequest("bpf_filter '" + expression + "' does not compile: " + e.getMessage());
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            filter.close();
            // JNA's message would list its whole search path, the class path among it: the reason is that libpcap is missing
            throw new ApiException.Internal("bpf_filter needs libpcap, which cannot be loaded here (is it installed?)", null);
        }
        return filter;
    }

    /**
     * Compiles on a dead handle of the link type, which is what makes libpcap's own message
     * ({@code pcap_geterr}: "syntax error", "unknown host ...") part of the exception;
     * {@code Pcaps.compileFilter} only says that compiling failed. The netmask is unknown
     * (only "ip broadcast" needs one, and then fails to compile, as in {@code tcpdump -r}).
     */
    private static BpfProgram compileFor(int linkType, String expression) throws PcapNativeException {
        synchronized (LIBPCAP_COMPILER) {
            try (PcapHandle dead = Pcaps.openDead(DataLinkType.getInstance(linkType), SNAPLEN)) {
                return dead.compileFilter(expression, BpfProgram.BpfCompileMode.OPTIMIZE, PcapHandle.PCAP_NETMASK_UNKNOWN);
            } catch (NotOpenException e) {
                throw new IllegalStateException("a handle just opened is not open", e);
            }
        }
    }

    @Override
    public boolean accept(int linkType, ByteBuffer data, int originalLength) {
        BpfProgram program = programs.get(linkType);
        if (program == null) {
            if (matchNothing.contains(linkType)) return false;
            try {
                program = compileFor(linkType, expression);
            } catch (PcapNativeException e) {
                // the expression cannot apply to this link type (e.g. "ether host" on raw IP): tcpdump would match nothing
                matchNothing.add(linkType);
                return false;
            }
            programs.put(linkType, program);
        }
        int cap = data.remaining();
        if (scratch.length < cap) scratch = new byte[Math.max(cap, scratch.length * 2)];
        data.get(data.position(), scratch, 0, cap);
        return program.applyFilter(scratch, Math.max(originalLength, cap), cap);
    }

    @Override
    public void close() {
        for (BpfProgram p : programs.values()) {
            if (!p.isFreed()) p.free();
        }
        programs.clear();
    }
}
