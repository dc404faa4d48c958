package dev.trawl.core.export;

import dev.trawl.core.pcap.PcapFormatException;
import dev.trawl.core.pcap.PcapReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One node's chunks read one after another as a single time-ordered source, keeping only the
 * packets inside {@code [fromNanos, toNanos]}. Only one chunk is open at a time (one stream, one
 * bounded reader buffer), and a chunk whose range lies outside the window is never opened.
 * Damage inside a chunk is skipped and counted, never fatal: the rest of the evidence still
 * exports.
 */
public final class ChunkSequenceSource implements PacketCursor {

    /** A chunk to read: its name (for messages), time range from its key, and how to open it. */
    public record Chunk(String name, long startNanos, long endNanos, Opener opener, PacketMerge.PacketFilter keep) {
        public Chunk(String name, long startNanos, long endNanos, Opener opener) {
            this(name, startNanos, endNanos, opener, null);
        }
    }

    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    private final String node;
    private final List<Chunk> chunks;
    private final long fromNanos;
    private final long toNanos;
    private int nextChunk;
    private PcapReader reader;
    /** The chunk being read's own filter (its workload scope), or null for every packet. */
    private PacketMerge.PacketFilter keep;
    private long damaged;
    private final List<String> damage = new ArrayList<>();

    public ChunkSequenceSource(String node, List<Chunk> chunks, long fromNanos, long toNanos) {
        this.node = node;
        this.chunks = chunks.stream()
                .filter(c -> c.endNanos() >= fromNanos && c.startNanos() <= toNanos)
                .sorted(Comparator.comparingLong(Chunk::startNanos))
                .toList();
        this.fromNanos = fromNanos;
        this.toNanos = toNanos;
    }

    /**
     * Splits one node's chunks into as few sequences as possible such that chunks within a
     * sequence do not overlap in time (normally one; more only where a restarted capture left
     * overlapping chunks), so each sequence is itself in order.
     */
    public static List<List<Chunk>> lanes(List<Chunk> chunks) {
        List<List<Chunk>> lanes = new ArrayList<>();
        List<Long> laneEnds = new ArrayList<>();
        for (Chunk c : chunks.stream().sorted(Comparator.comparingLong(Chunk::startNanos)).toList()) {
            int lane = -1;
            for (int i = 0; i < lanes.size(); i++) {
                if (laneEnds.get(i) <= c.startNanos()) {
                    lane = i;
                    break;
                }
            }
            if (lane < 0) {
                lanes.add(new ArrayList<>());
                laneEnds.add(Long.MIN_VALUE);
                lane = lanes.size() - 1;
            }
            lanes.get(lane).add(c);
            laneEnds.set(lane, c.endNanos());
        }
        return lanes;
    }

    @Override
    public String node() {
        return node;
    }

    @Override
    public boolean next() throws IOException {
        while (true) {
            if (reader == null) {
                if (nextChunk >= chunks.size()) return false;
                Chunk c = chunks.get(nextChunk++);
                reader = PcapReader.open(c.opener().open(), c.name());
                keep = c.keep();
            }
            boolean more;
            try {
                more = reader.next();
            } catch (PcapFormatException e) {
                damaged++;
                if (damage.size() < 20) damage.add(e.getMessage());
                continue;
            }
            if (!more) {
                reader.close();
                reader = null;
                continue;
            }
            long ts = reader.timestampNanos();
            if (ts >= fromNanos && ts <= toNanos && (keep == null || keep.accept(reader.linkType(), data(), reader.originalLength()))) return true;
        }
    }

    @Override
    public long timestampNanos() {
        return reader.timestampNanos();
    }

    @Override
    public int linkType() {
        return reader.linkType();
    }

    @Override
    public int originalLength() {
        return reader.originalLength();
    }

    @Override
    public ByteBuffer data() {
        return reader.data();
    }

    /** Damaged records skipped so far. */
    public long damagedRecords() {
        return damaged;
    }

    public List<String> damage() {
        return List.copyOf(damage);
    }

    @Override
    public void close() throws IOException {
        if (reader != null) {
            reader.close();
            reader = null;
        }
        nextChunk = chunks.size();
    }
}
