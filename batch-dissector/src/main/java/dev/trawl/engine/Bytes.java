package dev.trawl.engine;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Small helpers for parsers that read {@link ByteBuffer}s by absolute index. */
public final class Bytes {
    private Bytes() {}

    /** Index of the first {@code b} in {@code [from, to)}, or -1. */
    public static int indexOf(ByteBuffer buf, int from, int to, byte b) {
        for (int i = from; i < to; i++) if (buf.get(i) == b) return i;
        return -1;
    }

    /** Index of the first occurrence of {@code needle} in {@code [from, to)}, or -1. */
    public static int indexOf(ByteBuffer buf, int from, int to, byte[] needle) {
        int last = to - needle.length;
        byte first = needle[0];
        outer:
        for (int i = from; i <= last; i++) {
            if (buf.get(i) != first) continue;
            for (int k = 1; k < needle.length; k++) if (buf.get(i + k) != needle[k]) continue outer;
            return i;
        }
        return -1;
    }

    /** Whether the bytes at {@code at} are {@code prefix} (ASCII, exact case). */
    public static boolean startsWith(ByteBuffer buf, int at, int limit, byte[] prefix) {
        if (limit - at < prefix.length) return false;
        for (int k = 0; k < prefix.length; k++) if (buf.get(at + k) != prefix[k]) return false;
        return true;
    }

    /** Bytes {@code [from, to)} as Latin-1 text (header fields, request lines). */
    public static String ascii(ByteBuffer buf, int from, int to) {
        if (to <= from) return "";
        char[] c = new char[to - from];
        for (int i = from; i < to; i++) c[i - from] = (char) (buf.get(i) & 0xFF);
        return new String(c);
    }

    /**
     * A NUL-terminated UTF-8 string read from the position, which ends past the NUL; a buffer
     * that ends first yields what it has.
     */
    public static String cstring(ByteBuffer m) {
        int start = m.position();
        int end = start;
        while (end < m.limit() && m.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - start];
        m.get(b);
        if (m.hasRemaining()) {
            m.get();
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Moves the position past up to {@code n} bytes; returns how many it moved. */
    public static int skip(ByteBuffer in, long n) {
        int k = (int) Math.min(n, in.remaining());
        in.position(in.position() + k);
        return k;
    }

    public static byte[] copy(ByteBuffer buf, int from, int to) {
        byte[] out = new byte[Math.max(0, to - from)];
        buf.get(from, out);
        return out;
    }

    /** A body as text: UTF-8 when it is, otherwise "base64:" and the bytes in Base64. */
    public static String text(byte[] data, int len) {
        if (len == 0) return "";
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer cb = d.decode(ByteBuffer.wrap(data, 0, len));
            return cb.toString();
        } catch (CharacterCodingException e) {
            // a body cut at the limit may end inside a character: accept that one case as text
            if (len >= 4) {
                for (int cut = 1; cut <= 3; cut++) {
                    try {
                        return d.reset().decode(ByteBuffer.wrap(data, 0, len - cut)).toString();
                    } catch (CharacterCodingException ignored) {
                        // try one byte less
                    }
                }
            }
            return "base64:" + Base64.getEncoder().encodeToString(len == data.length ? data : java.util.Arrays.copyOf(data, len));
        }
    }

    public static boolean isToken(byte b) {
        return b > 32 && b < 127 && "()<>@,;:\\\"/[]?={}".indexOf(b) < 0;
    }
}
