package dev.trawl.engine;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic entry ids: a 128-bit MurmurHash3 (x64) of what identifies a transaction (node,
 * connection, its first packet's time, the transaction's index in it), as 32 hex digits. The
 * same input dissected again gives the same ids, so ClickHouse's ReplacingMergeTree folds a
 * re-run instead of doubling it. Not a secret: a fast hash with negligible collisions is enough.
 */
public final class Ids {
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public String of(String key) {
        byte[] d = key.getBytes(StandardCharsets.UTF_8);
        long h1 = 0x9368e53c2f6af274L;
        long h2 = 0x586dcd208f7cd3fdL;
        int n = d.length;
        int blocks = n / 16;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(d).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < blocks; i++) {
            long k1 = b.getLong(i * 16);
            long k2 = b.getLong(i * 16 + 8);
            h1 ^= Long.rotateLeft(k1 * C1, 31) * C2;
            h1 = Long.rotateLeft(h1, 27) + h2;
            h1 = h1 * 5 + 0x52dce729;
            h2 ^= Long.rotateLeft(k2 * C2, 33) * C1;
            h2 = Long.rotateLeft(h2, 31) + h1;
            h2 = h2 * 5 + 0x38495ab5;
        }
        long k1 = 0, k2 = 0;
        int tail = blocks * 16;
        for (int i = n - 1; i >= tail; i--) {
            int at = i - tail;
            if (at >= 8) k2 ^= (d[i] & 0xFFL) << ((at - 8) * 8);
            else k1 ^= (d[i] & 0xFFL) << (at * 8);
        }
        if (n - tail > 8) h2 ^= Long.rotateLeft(k2 * C2, 33) * C1;
        if (n - tail > 0) h1 ^= Long.rotateLeft(k1 * C1, 31) * C2;
        h1 ^= n;
        h2 ^= n;
        h1 += h2;
        h2 += h1;
        h1 = fmix(h1);
        h2 = fmix(h2);
        h1 += h2;
        h2 += h1;
        char[] out = new char[32];
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (h1 >>> (60 - 4 * i)) & 15];
            out[16 + i] = HEX[(int) (h2 >>> (60 - 4 * i)) & 15];
        }
        return new String(out);
    }

    private static long fmix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
