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
 *
 * <p>libpcap's optimizer grows much faster than the expression (600 {@code or} terms took 36 s), so
 * an expression has a length and a term limit, and a compile that still takes longer than
 * {@link #COMPILE_DEADLINE} is given up on (a 400; the native call finishes on its own thread).
 * Compiles run in parallel: libpcap's compiler is reentrant since 1.8, and only an older one is
 * held to one compile at a time.
 */
public final class BpfFilter implements PacketFilter, AutoCloseable {
    public static final int MAX_LENGTH = 1024;
    public static final int MAX_TERMS = 64;
    static final java.time.Duration COMPILE_DEADLINE = java.time.Duration.ofSeconds(5);
    private static final java.util.regex.Pattern CONNECTIVE = java.util.regex.Pattern.compile("(?i)(?<![\\w.])(and|or)(?![\\w.])|&&|\\|\\|");
    private static final Object OLD_LIBPCAP_COMPILER = new Object();
    private static final java.util.concurrent.ExecutorService COMPILERS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
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
        checkSize(expression);
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
        var compiling = new java.util.concurrent.CompletableFuture<BpfProgram>();
        COMPILERS.execute(() -> {
            try {
                if (ReentrantCompiler.YES) {
                    compiling.complete(compileNow(linkType, expression));
                } else {
                    synchronized (OLD_LIBPCAP_COMPILER) {
                        compiling.complete(compileNow(linkType, expression));
                    }
                }
            } catch (Throwable t) {
                compiling.completeExceptionally(t);
            }
        });
        try {
            return compiling.get(COMPILE_DEADLINE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            compiling.thenAccept(BpfProgram::free); // nobody waits for it any more
            throw new ApiException.BadRequest("bpf_filter takes libpcap longer than " + COMPILE_DEADLINE.toSeconds()
                    + " s to compile: use fewer or simpler terms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException.Internal("interrupted while compiling bpf_filter", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof PcapNativeException p) throw p;
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    private static BpfProgram compileNow(int linkType, String expression) throws PcapNativeException {
        try (PcapHandle dead = Pcaps.openDead(DataLinkType.getInstance(linkType), SNAPLEN)) {
            return dead.compileFilter(expression, BpfProgram.BpfCompileMode.OPTIMIZE, PcapHandle.PCAP_NETMASK_UNKNOWN);
        } catch (NotOpenException e) {
            throw new IllegalStateException("a handle just opened is not open", e);
        }
    }

    /** A 400 for an expression longer than {@link #MAX_LENGTH} or of more than {@link #MAX_TERMS} terms. */
    static void checkSize(String expression) {
        if (expression.length() > MAX_LENGTH) {
            throw new ApiException.BadRequest("bpf_filter is " + expression.length() + " characters long; at most " + MAX_LENGTH + " are accepted");
        }
        long terms = 1 + CONNECTIVE.matcher(expression).results().count();
        if (terms > MAX_TERMS) {
            throw new ApiException.BadRequest("bpf_filter has " + terms + " terms joined by and/or; at most " + MAX_TERMS + " are accepted");
        }
    }

    /** Whether this libpcap's compiler may run on several threads at once (1.8 and later). */
    private static final class ReentrantCompiler {
        static final boolean YES = reentrant();

        private static boolean reentrant() {
            try {
                return isAtLeast18(Pcaps.libVersion());
            } catch (UnsatisfiedLinkError | NoClassDefFoundError noLibpcap) {
                return false; // compiling says so
            }
        }

        static boolean isAtLeast18(String version) {
            var m = java.util.regex.Pattern.compile("(\\d+)\\.(\\d+)").matcher(version);
            if (!m.find()) return false;
            int major = Integer.parseInt(m.group(1));
            return major > 1 || major == 1 && Integer.parseInt(m.group(2)) >= 8;
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
