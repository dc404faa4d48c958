package dev.trawl.core.export;

import java.io.IOException;
import java.util.List;

/**
 * The k-way merge: repeatedly writes the earliest current packet of all sources, so the output
 * is in timestamp order whenever each source is. Memory is what the sources hold (one buffer
 * each) plus a heap of k entries: independent of the data's size. Ties go to the source listed
 * first, so the same inputs always give the same bytes (which {@code Range} resumption needs).
 */
public final class PacketMerge {
    private PacketMerge() {}

    /** Drains every source into {@code sink} and returns the number of packets written. Does not close anything. */
    public static long merge(List<? extends PacketCursor> sources, PacketSink sink, PacketFilter filter) throws IOException {
        int k = sources.size();
        PacketCursor[] heap = new PacketCursor[k];
        int[] order = new int[k];
        int n = 0;
        for (int i = 0; i < k; i++) {
            PacketCursor s = sources.get(i);
            if (s.next()) {
                heap[n] = s;
                order[n] = i;
                n++;
            }
        }
        for (int i = n / 2 - 1; i >= 0; i--) siftDown(heap, order, n, i);
        long written = 0;
        while (n > 0) {
            PacketCursor top = heap[0];
            if (filter == null || filter.accept(top.linkType(), top.data(), top.originalLength())) {
                sink.write(top.node(), top.linkType(), top.timestampNanos(), top.data(), top.originalLength());
                written++;
            }
            if (!top.next()) {
                n--;
                heap[0] = heap[n];
                order[0] = order[n];
                heap[n] = null;
            }
            if (n > 0) siftDown(heap, order, n, 0);
        }
        return written;
    }

    private static boolean before(PacketCursor a, int oa, PacketCursor b, int ob) {
        long ta = a.timestampNanos();
        long tb = b.timestampNanos();
        return ta < tb || (ta == tb && oa < ob);
    }

    private static void siftDown(PacketCursor[] heap, int[] order, int n, int i) {
        PacketCursor x = heap[i];
        int ox = order[i];
        while (true) {
            int l = 2 * i + 1;
            if (l >= n) break;
            int r = l + 1;
            int c = r < n && before(heap[r], order[r], heap[l], order[l]) ? r : l;
            if (!before(heap[c], order[c], x, ox)) break;
            heap[i] = heap[c];
            order[i] = order[c];
            i = c;
        }
        heap[i] = x;
        order[i] = ox;
    }

    /** Decides per packet whether it is exported (e.g. a compiled BPF program). */
    @FunctionalInterface
    public interface PacketFilter {
        boolean accept(int linkType, java.nio.ByteBuffer data, int originalLength);
    }
}
