package dev.trawl.capture.live;

import dev.trawl.capture.PacketSource;
import dev.trawl.core.chunk.ChunkMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libpcap capture on one interface. Packets go from the kernel to the chunk file inside
 * libpcap ({@code pcap_loop} with {@code pcap_dump} as its callback): no packet crosses into
 * Java. A watchdog thread breaks the loop when the open chunk reaches its size or age, and the
 * capture thread reopens the dumper on a new file; packets arriving meanwhile wait in the
 * kernel's ring buffer.
 *
 * <p>With {@link OwnTraffic}, the capture leaves out this process's own connections: the
 * watchdog rescans the process's sockets every {@link #OWN_SCAN_NANOS} and, when they changed,
 * has the capture thread install the filter anew (between two {@code pcap_loop} calls, on the
 * same chunk; libpcap filters what the ring already holds with the new program). A connection
 * opened while a chunk was open may have sent packets before a scan saw it: such a chunk is
 * filtered once more when it closes (libpcap offline, same expression), so none of its packets
 * reach S3.
 *
 * <p>Each new filter costs a moment without capture: libpcap's {@code pcap_setfilter} on Linux
 * first attaches a reject-everything program, drains the socket, then attaches the new one, and
 * what arrives in between is neither captured nor counted as dropped (a gap of 6 packets of one
 * connection in 0.35 ms beside tcpdump fits it). {@link OwnTraffic} therefore changes the
 * program only for connections no clause covers yet.
 */
public final class LiveCapture implements PacketSource {
    private static final Logger log = LoggerFactory.getLogger(LiveCapture.class);

    private static final long FLUSH_EVERY_NANOS = 200_000_000L;
    static final long OWN_SCAN_NANOS = 100_000_000L;
    /** libpcap's buffer timeout: the kernel hands over what it holds at least this often. */
    static final int BUFFER_TIMEOUT_MILLIS = 100;

    private final String device;
    private final String filter;
    private final int bufferBytes;
    private final OwnTraffic own;
    private volatile boolean running = true;
    private volatile boolean filterStale;
    private final AtomicReference<PcapHandle> handle = new AtomicReference<>();

    /** A capture of everything {@code filter} selects, this process's own traffic included. */
    public LiveCapture(String device, String filter, int bufferBytes) {
        this(device, filter, bufferBytes, null);
    }

    /** A capture of what {@code filter} selects, without the connections {@code own} finds (null: none left out). */
    public LiveCapture(String device, String filter, int bufferBytes, OwnTraffic own) {
        this.device = device;
        this.filter = filter == null ? "" : filter;
        this.bufferBytes = bufferBytes;
        this.own = own;
    }

    @Override
    public String mode() {
        return ChunkMeta.LIVE;
    }

    @Override
    public List<String> interfaces() {
        return List.of(device);
    }

    /** Opens a handle as the capture would; throws when this process may not capture here. */
    public static PcapHandle open(String device, int snaplen, int bufferBytes) throws PcapNativeException {
        return new PcapHandle.Builder(device)
                .snaplen(snaplen)
                .promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
                .timeoutMillis(BUFFER_TIMEOUT_MILLIS)
                .bufferSize(bufferBytes)
                .timestampPrecision(PcapHandle.TimestampPrecision.NANO)
                .build();
    }

    @Override
    public void run(Chunks chunks) throws Exception {
        PcapHandle h = open(device, chunks.snaplen(), bufferBytes);
        handle.set(h);
        try {
            if (own != null) own.refresh();
            String installed = applyFilter(h, "");
            log.info("live capture on {} (snaplen {}, filter: {})", device, chunks.snaplen(), installed.isBlank() ? "none" : installed);
            long droppedBefore = 0;
            while (running) {
                long ownMark = own == null ? 0 : own.mark();
                Path part = chunks.newPart();
                long openedNanos = System.currentTimeMillis() * 1_000_000L;
                long opened = System.nanoTime();
                PcapDumper dumper = h.dumpOpen(part.toString());
                Thread watchdog = Thread.ofPlatform().daemon().name("rotate-" + device).start(() -> watch(h, dumper, opened, chunks));
                try {
                    while (running && !due(dumper, opened, chunks)) {
                        try {
                            h.loop(-1, dumper);
                        } catch (InterruptedException broken) {
                            // pcap_breakloop: rotation, stop or a new filter; the conditions decide which
                        }
                        if (filterStale) {
                            filterStale = false;
                            installed = applyFilter(h, installed);
                        }
                    }
                } finally {
                    watchdog.interrupt();
                    dumper.close();
                }
                if (own != null) {
                    // a connection opened since the last scan may have packets in this chunk: look once more
                    if (own.refresh() | filterStale) {
                        filterStale = false;
                        installed = applyFilter(h, installed);
                    }
                    if (own.newSince(ownMark)) withoutOwnTraffic(part, own.bpf());
                }
                PcapStat stats = h.getStats();
                long dropped = stats.getNumPacketsDropped() + stats.getNumPacketsDroppedByIf();
                chunks.closed(part, openedNanos, Math.max(0, dropped - droppedBefore));
                droppedBefore = dropped;
            }
        } finally {
            handle.set(null);
            h.close();
        }
    }

    /** Installs the user's filter without this process's traffic; on a compile failure keeps what is installed. */
    private String applyFilter(PcapHandle h, String installed) throws Exception {
        String wanted = OwnTraffic.compose(filter, own == null ? "" : own.bpf());
        if (wanted.equals(installed)) return installed;
        try {
            if (!wanted.isBlank()) h.setFilter(wanted, BpfCompileMode.OPTIMIZE);
            log.debug("{}: filter now {}", device, wanted);
            return wanted;
        } catch (PcapNativeException e) {
            if (wanted.equals(filter)) throw e; // the user's own filter does not compile
            // too many endpoints for one program, say: capture (a little too much) rather than stop
            log.warn("{}: cannot leave out own traffic ({}), keeping filter {}", device, e.getMessage(), installed.isEmpty() ? filter : installed);
            if (!installed.isEmpty()) return installed;
            if (!filter.isBlank()) h.setFilter(filter, BpfCompileMode.OPTIMIZE);
            return filter;
        }
    }

    /**
     * Rewrites a closed part without the packets {@code own} matches (libpcap reads it, the same
     * BPF program selects, libpcap writes it), then puts it in the part's place.
     */
    static void withoutOwnTraffic(Path part, String own) throws IOException {
        if (own.isBlank()) return;
        Path filtered = part.resolveSibling(part.getFileName() + ".filtering");
        try {
            PcapHandle in = Pcaps.openOffline(part.toString(), PcapHandle.TimestampPrecision.NANO);
            try {
                in.setFilter("not (" + own + ")", BpfCompileMode.OPTIMIZE);
                PcapDumper out = in.dumpOpen(filtered.toString());
                try {
                    in.loop(-1, out);
                } finally {
                    out.close();
                }
            } finally {
                in.close();
            }
            Files.move(filtered, part, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (Exception e) {
            // the chunk is kept as captured: losing the user's packets is worse than keeping a few of ours
            Files.deleteIfExists(filtered);
            log.warn("{}: could not take own traffic out of {}: {}", part.getFileName(), part.getFileName(), e.toString());
        }
    }

    private boolean due(PcapDumper dumper, long opened, Chunks chunks) {
        try {
            return dumper.ftell() >= chunks.rotation().maxBytes()
                    || (System.nanoTime() - opened >= chunks.rotation().maxAge().toNanos() && dumper.ftell() > 24);
        } catch (Exception e) {
            return true;
        }
    }

    private void watch(PcapHandle h, PcapDumper dumper, long opened, Chunks chunks) {
        try {
            long lastFlush = System.nanoTime();
            long lastScan = System.nanoTime();
            while (running && !Thread.currentThread().isInterrupted()) {
                if (due(dumper, opened, chunks)) {
                    h.breakLoop();
                    return;
                }
                if (own != null && System.nanoTime() - lastScan > OWN_SCAN_NANOS) {
                    lastScan = System.nanoTime();
                    if (own.refresh()) {
                        filterStale = true;
                        h.breakLoop();
                    }
                }
                if (System.nanoTime() - lastFlush > FLUSH_EVERY_NANOS) {
                    // the dumper writes through stdio's buffer: push it to the file now and then, so a
                    // SIGKILL loses at most this long of the open chunk (stdio locks the stream)
                    dumper.flush();
                    lastFlush = System.nanoTime();
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            // the chunk closed
        } catch (Exception e) {
            log.debug("rotation watchdog on {} ended", device, e);
        }
    }

    /**
     * Ends the capture with what arrived before the call: the loop runs one more buffer timeout
     * (twice, for margin), so the packets the kernel still held are written to the last chunk
     * rather than lost when the handle closes.
     */
    @Override
    public void stop() {
        PcapHandle h = handle.get();
        if (h != null && running) {
            try {
                Thread.sleep(2L * BUFFER_TIMEOUT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        running = false;
        if (h != null) {
            try {
                h.breakLoop();
            } catch (Exception ignored) {
                // already closed
            }
        }
    }

}
