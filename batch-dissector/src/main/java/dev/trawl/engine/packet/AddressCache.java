package dev.trawl.engine.packet;

/** Text forms of recently seen addresses, so formatting an address per entry costs no allocation. */
public final class AddressCache {
    private static final int SIZE = 4096;
    private final long[] his = new long[SIZE];
    private final long[] los = new long[SIZE];
    private final String[] texts = new String[SIZE];

    public String format(long hi, long lo) {
        int slot = (int) (mix(hi * 31 + lo) & (SIZE - 1));
        String t = texts[slot];
        if (t != null && his[slot] == hi && los[slot] == lo) return t;
        t = Packet.format(hi, lo);
        his[slot] = hi;
        los[slot] = lo;
        texts[slot] = t;
        return t;
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }
}
