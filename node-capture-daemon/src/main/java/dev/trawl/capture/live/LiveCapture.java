package dev.trawl.capture.live;

import dev.trawl.capture.PacketSource;
import dev.trawl.core.chunk.ChunkMeta;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.PcapStat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A libpcap capture on one interface. Packets go from the kernel to the chunk file inside
 * libpcap ({@code pcap_loop} with {@code pcap_dump} as its callback): no packet crosses into
 * Java. A watchdog thread breaks the loop when the open chunk reaches its size or age, and the
 * capture thread reopens the dumper on a new file; packets arriving meanwhile wait in the
 * kernel's ring buffer.
 */
public final class LiveCapture implements PacketSource {
    private static final Logger log = LoggerFactory.getLogger(LiveCapture.class);

    private static final long FLUSH_EVERY_NANOS = 200_000_000L;

    private final String device;
    private final String filter;
    private final int bufferBytes;
    private volatile boolean running = true;
    private final AtomicReference<PcapHandle> handle = new AtomicReference<>();

    public LiveCapture(String device, String filter, int bufferBytes) {
        this.device = device;
        this.filter = filter;
        this.bufferBytes = bufferBytes;
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
                .timeoutMillis(100)
                .bufferSize(bufferBytes)
                .timestampPrecision(PcapHandle.TimestampPrecision.NANO)
                .build();
    }

    @Override
    public void run(Chunks chunks) throws Exception {
        PcapHandle h = open(device, chunks.snaplen(), bufferBytes);
        handle.set(h);
        try {
            if (filter != null && !filter.isBlank()) h.setFilter(filter, BpfCompileMode.OPTIMIZE);
            log.info("live capture on {} (snaplen {}, filter: {})", device, chunks.snaplen(), filter == null || filter.isBlank() ? "none" : filter);
            long droppedBefore = 0;
            while (running) {
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
                            // pcap_breakloop: rotation or stop; the condition above decides which
                        }
                    }
                } finally {
                    watchdog.interrupt();
                    dumper.close();
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
            while (running && !Thread.currentThread().isInterrupted()) {
                if (due(dumper, opened, chunks)) {
                    h.breakLoop();
                    return;
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

    @Override
    public void stop() {
        running = false;
        PcapHandle h = handle.get();
        if (h != null) {
            try {
                h.breakLoop();
            } catch (Exception ignored) {
                // already closed
            }
        }
    }

}
