package dev.trawl.capture.replay;

import dev.trawl.capture.PacketSource;
import dev.trawl.capture.chunk.PcapChunkFile;
import dev.trawl.core.pcap.PcapFormatException;
import dev.trawl.core.pcap.PcapReader;
import dev.trawl.core.pcap.PcapWriter;
import java.io.BufferedOutputStream;
import java.nio.ByteBuffer;
import dev.trawl.core.chunk.ChunkMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays capture files (pcap or pcapng, read by the core {@link PcapReader}) as if they were captured now: each
 * pass over the files is shifted so that its first packet is "now", and paced in real time or
 * as fast as possible. Chunks rotate on the packets' (shifted) time and on size, exactly like a
 * live capture's, so everything downstream sees what a live capture would produce.
 */
public final class ReplayCapture implements PacketSource {
    private static final Logger log = LoggerFactory.getLogger(ReplayCapture.class);

    public enum Pace { REALTIME, FAST }

    private final List<Path> files;
    private final Pace pace;
    private final boolean loop;
    private volatile boolean running = true;
    private long passes;
    private long lastWrittenNanos = Long.MIN_VALUE;

    public ReplayCapture(List<Path> files, Pace pace, boolean loop) {
        if (files.isEmpty()) throw new IllegalArgumentException("replay needs at least one capture file");
        for (Path f : files) {
            if (!Files.isReadable(f)) throw new IllegalArgumentException("replay file " + f + " is not readable");
        }
        this.files = List.copyOf(files);
        this.pace = pace;
        this.loop = loop;
    }

    @Override
    public String mode() {
        return ChunkMeta.REPLAY;
    }

    @Override
    public List<String> interfaces() {
        return files.stream().map(f -> f.getFileName().toString()).toList();
    }

    public long passes() {
        return passes;
    }

    @Override
    public void run(Chunks chunks) throws Exception {
        Open open = null;
        try {
            do {
                for (Path file : files) {
                    if (!running) break;
                    // each file follows the previous one: its first packet is "now", or just after the last packet written
                    long wallStart = System.currentTimeMillis() * 1_000_000L;
                    long base = lastWrittenNanos == Long.MIN_VALUE ? wallStart : Math.max(wallStart, lastWrittenNanos + 1_000);
                    long monoStart = System.nanoTime();
                    long shift = Long.MIN_VALUE;
                    try (PcapReader in = PcapReader.open(file)) {
                        while (running) {
                            try {
                                if (!in.next()) break;
                            } catch (PcapFormatException damaged) {
                                // a damaged record is skipped (the reader resynchronises); the rest still plays
                                log.warn("replay of {}: {}", file.getFileName(), damaged.getMessage());
                                continue;
                            }
                            int linkType = in.linkType();
                            long ts = in.timestampNanos();
                            if (shift == Long.MIN_VALUE) shift = base - ts;
                            // a file's own disorder is kept out of the chunks: never earlier than the packet before
                            long at = Math.max(ts + shift, lastWrittenNanos);
                            if (pace == Pace.REALTIME) {
                                long wait = (at - base) - (System.nanoTime() - monoStart);
                                while (wait > 0 && running) {
                                    if (open != null && open.dueByWallClock(chunks)) open = close(open, chunks);
                                    Thread.sleep(Math.min(wait / 1_000_000L + 1, 200));
                                    wait = (at - base) - (System.nanoTime() - monoStart);
                                }
                                if (!running) break;
                            }
                            if (open != null && (open.linkType != linkType || open.due(at, chunks))) open = close(open, chunks);
                            if (open == null) open = new Open(chunks.newPart(), linkType, chunks.snaplen(), at);
                            open.write(at, in.data(), in.originalLength());
                            lastWrittenNanos = at;
                        }
                    }
                }
                passes++;
                if (loop && running) log.debug("replay pass {} done", passes);
            } while (loop && running);
        } finally {
            if (open != null) close(open, chunks);
        }
    }

    private Open close(Open open, Chunks chunks) throws IOException {
        open.writer.close();
        chunks.closed(open.part, open.openedWallNanos, 0);
        return null;
    }

    private static final class Open {
        final Path part;
        final PcapWriter writer;
        final int snaplen;
        long bytes = PcapChunkFile.FILE_HEADER;
        final int linkType;
        final long firstPacketNanos;
        final long openedMono = System.nanoTime();
        final long openedWallNanos = System.currentTimeMillis() * 1_000_000L;

        Open(Path part, int linkType, int snaplen, long firstPacketNanos) throws IOException {
            this.part = part;
            this.linkType = linkType;
            this.firstPacketNanos = firstPacketNanos;
            this.snaplen = snaplen;
            this.writer = new PcapWriter(new BufferedOutputStream(Files.newOutputStream(part), 1 << 16), linkType, true, snaplen);
        }

        void write(long nanos, ByteBuffer data, int originalLength) throws IOException {
            writer.write(nanos, data, originalLength);
            bytes += 16 + Math.min(data.remaining(), snaplen);
        }

        boolean due(long packetNanos, Chunks chunks) {
            return bytes >= chunks.rotation().maxBytes()
                    || packetNanos - firstPacketNanos >= chunks.rotation().maxAge().toNanos();
        }

        boolean dueByWallClock(Chunks chunks) {
            return System.nanoTime() - openedMono >= chunks.rotation().maxAge().toNanos();
        }
    }

    @Override
    public void stop() {
        running = false;
    }
}
