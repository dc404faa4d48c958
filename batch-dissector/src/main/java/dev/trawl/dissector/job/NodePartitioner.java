package dev.trawl.dissector.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Cuts a snapshot into the job's partitions: one per node, its chunks in time order, so its TCP
 * connections continue across chunk boundaries in one engine session. A node holding more than
 * {@code maxBytes} is cut further into time slices at chunk boundaries. A slice owns the entries
 * whose request began inside it ({@code [ownedFromNanos, ownedToNanos)}); it also reads the
 * chunks of the {@code overlapNanos} before it (connections already open when it starts are
 * picked up, their requests there belong to the slice before) and after it (requests it owns
 * that are answered past its end still meet their responses). Ids are deterministic and each
 * entry has exactly one owner, so no entry is made twice.
 *
 * <p>With {@code workers > 1} (an Indexed Job) worker {@code index} takes every partition whose
 * position in the sorted list is {@code index} modulo {@code workers}: all workers list the same
 * snapshot, so they agree on the cut without talking to each other.
 */
final class NodePartitioner implements Partitioner {
    static final String NODE = "node";
    static final String OWNED_FROM = "owned_from_nanos";
    static final String OWNED_TO = "owned_to_nanos";
    static final String CHUNKS = "chunks";

    private final Supplier<Map<String, List<SnapshotChunks.Chunk>>> listing;
    private final long maxBytes;
    private final long overlapNanos;
    private final int index;
    private final int workers;

    NodePartitioner(Supplier<Map<String, List<SnapshotChunks.Chunk>>> listing, long maxBytes, long overlapNanos, int index, int workers) {
        if (workers < 1 || index < 0 || index >= workers) throw new IllegalArgumentException("worker " + index + " of " + workers);
        this.listing = listing;
        this.maxBytes = maxBytes;
        this.overlapNanos = overlapNanos;
        this.index = index;
        this.workers = workers;
    }

    /** One partition: the chunks it reads, and which of them it owns (counts) — the rest are its overlap. */
    record Slice(String key, String node, long ownedFromNanos, long ownedToNanos, List<SnapshotChunks.Chunk> chunks) {
        boolean owns(SnapshotChunks.Chunk c) {
            return c.startNanos() >= ownedFromNanos && c.startNanos() < ownedToNanos;
        }

        boolean ownsEntryAt(long nanos) {
            return nanos >= ownedFromNanos && nanos < ownedToNanos;
        }

        long ownedBytes() {
            return chunks.stream().filter(this::owns).mapToLong(SnapshotChunks.Chunk::size).sum();
        }

        long ownedFiles() {
            return chunks.stream().filter(this::owns).count();
        }

        ExecutionContext toContext() {
            var context = new ExecutionContext();
            context.putString(NODE, node);
            context.putLong(OWNED_FROM, ownedFromNanos);
            context.putLong(OWNED_TO, ownedToNanos);
            var lines = new StringBuilder();
            for (var c : chunks) {
                lines.append(c.key()).append('\t').append(c.startNanos()).append('\t').append(c.endNanos()).append('\t').append(c.size())
                        .append('\t').append(c.windowFromNanos()).append('\t').append(c.windowToNanos())
                        .append('\t').append(c.sha256() == null ? "-" : c.sha256()).append('\n');
            }
            context.putString(CHUNKS, lines.toString());
            return context;
        }

        static Slice fromContext(String key, ExecutionContext context) {
            String node = context.getString(NODE);
            var chunks = new ArrayList<SnapshotChunks.Chunk>();
            for (String line : context.getString(CHUNKS).split("\n")) {
                if (line.isEmpty()) continue;
                String[] f = line.split("\t");
                chunks.add(new SnapshotChunks.Chunk(node, f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]),
                        Long.parseLong(f[4]), Long.parseLong(f[5]), f[6].equals("-") ? null : f[6]));
            }
            return new Slice(key, node, context.getLong(OWNED_FROM), context.getLong(OWNED_TO), List.copyOf(chunks));
        }
    }

    /** Every partition of the snapshot, in key order, whichever worker takes it. */
    List<Slice> slices() {
        var all = new ArrayList<Slice>();
        listing.get().forEach((node, chunks) -> all.addAll(cut(node, chunks)));
        return all;
    }

    /** This worker's partitions. */
    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        var mine = new LinkedHashMap<String, ExecutionContext>();
        List<Slice> all = slices();
        for (int i = 0; i < all.size(); i++) {
            if (i % workers == index) mine.put(all.get(i).key(), all.get(i).toContext());
        }
        return mine;
    }

    private List<Slice> cut(String node, List<SnapshotChunks.Chunk> chunks) {
        // slice bounds at chunk starts: a new slice begins where the bytes so far pass maxBytes
        var starts = new ArrayList<Integer>();
        long bytes = 0;
        for (int i = 0; i < chunks.size(); i++) {
            if (i == 0 || bytes >= maxBytes) {
                starts.add(i);
                bytes = 0;
            }
            bytes += chunks.get(i).size();
        }
        if (starts.size() <= 1) return List.of(new Slice(node, node, Long.MIN_VALUE, Long.MAX_VALUE, chunks));
        var slices = new ArrayList<Slice>();
        for (int s = 0; s < starts.size(); s++) {
            long from = s == 0 ? Long.MIN_VALUE : chunks.get(starts.get(s)).startNanos();
            long to = s + 1 == starts.size() ? Long.MAX_VALUE : chunks.get(starts.get(s + 1)).startNanos();
            var read = new ArrayList<SnapshotChunks.Chunk>();
            for (var c : chunks) {
                boolean before = from != Long.MIN_VALUE && c.endNanos() >= from - overlapNanos && c.startNanos() < from;
                boolean inside = c.startNanos() >= from && c.startNanos() < to;
                boolean after = to != Long.MAX_VALUE && c.startNanos() >= to && c.startNanos() < to + overlapNanos;
                if (before || inside || after) read.add(c);
            }
            slices.add(new Slice(String.format("%s@%04d", node, s), node, from, to, List.copyOf(read)));
        }
        return slices;
    }
}
