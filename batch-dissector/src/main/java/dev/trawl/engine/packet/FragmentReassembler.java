package dev.trawl.engine.packet;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts IPv4 and IPv6 fragments back together. Bounded: at most {@code maxBytes} buffered over
 * all datagrams, none larger than 64 KiB of payload (128 KiB for IPv6 jumbo-free traffic never
 * needs more), and datagrams older than the timeout (packet time) are dropped and counted.
 */
final class FragmentReassembler {
    private static final int MAX_DATAGRAM = 65_535 + 8;

    private record Key(int version, long srcHi, long srcLo, long dstHi, long dstLo, long id, int protocol) {}

    private static final class Datagram {
        final long firstSeen;
        byte[] data = new byte[2048];
        int total = -1;
        final List<int[]> ranges = new ArrayList<>(4);

        Datagram(long firstSeen) {
            this.firstSeen = firstSeen;
        }

        boolean complete() {
            if (total < 0) return false;
            ranges.sort((a, b) -> Integer.compare(a[0], b[0]));
            int covered = 0;
            for (int[] r : ranges) {
                if (r[0] > covered) return false;
                covered = Math.max(covered, r[1]);
            }
            return covered >= total;
        }
    }

    private final Map<Key, Datagram> pending = new LinkedHashMap<>();
    private final long timeoutNanos;
    private final long maxBytes;
    private long bytes;
    long expired;
    long dropped;

    FragmentReassembler(long timeoutNanos, long maxBytes) {
        this.timeoutNanos = timeoutNanos;
        this.maxBytes = maxBytes;
    }

    /**
     * Adds a fragment: {@code len} payload bytes at {@code offset} of the datagram. Returns the
     * whole payload when this fragment completes it (length in {@code completedLength[0]}), else null.
     */
    byte[] offer(int version, long srcHi, long srcLo, long dstHi, long dstLo, long id, int protocol,
                 int offset, boolean more, java.nio.ByteBuffer buf, int at, int len, long ts, int[] completedLength) {
        expire(ts);
        if (offset + len > MAX_DATAGRAM || len < 0) {
            dropped++;
            return null;
        }
        Key key = new Key(version, srcHi, srcLo, dstHi, dstLo, id, protocol);
        Datagram d = pending.get(key);
        if (d == null) {
            if (bytes + 2048 > maxBytes) {
                dropped++;
                return null;
            }
            d = new Datagram(ts);
            pending.put(key, d);
            bytes += d.data.length;
        }
        int end = offset + len;
        if (end > d.data.length) {
            int n = Math.min(MAX_DATAGRAM, Math.max(end, d.data.length * 2));
            if (bytes + n - d.data.length > maxBytes) {
                remove(key, d);
                dropped++;
                return null;
            }
            bytes += n - d.data.length;
            d.data = java.util.Arrays.copyOf(d.data, n);
        }
        buf.get(at, d.data, offset, len);
        d.ranges.add(new int[] {offset, end});
        if (!more) d.total = end;
        if (d.complete()) {
            remove(key, d);
            completedLength[0] = d.total;
            return d.data;
        }
        return null;
    }

    private void remove(Key key, Datagram d) {
        pending.remove(key);
        bytes -= d.data.length;
    }

    private void expire(long now) {
        Iterator<Map.Entry<Key, Datagram>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Datagram> e = it.next();
            if (now - e.getValue().firstSeen <= timeoutNanos) break;
            bytes -= e.getValue().data.length;
            it.remove();
            expired++;
        }
    }

    /** Datagrams still incomplete: counted as lost when the input ends. */
    int incomplete() {
        return pending.size();
    }

    @Override
    public String toString() {
        return "FragmentReassembler[" + pending.size() + " pending, " + bytes + " bytes]";
    }
}
