package dev.trawl.engine.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An incremental RESP2/RESP3 decoder for one direction: bytes go in as they arrive, complete
 * top-level values come out. It holds no more than one line ({@link #MAX_LINE}) plus the first
 * {@code stringLimit} bytes of a bulk string and {@link #MAX_ELEMENTS} elements per aggregate;
 * the rest is counted and dropped, so a 1 GB value costs nothing.
 */
public final class RespDecoder {
    public static final int MAX_LINE = 64 * 1024;
    public static final int MAX_DEPTH = 32;
    public static final int MAX_ELEMENTS = 64;

    /** Where a value is being built: an aggregate still waiting for elements. */
    private static final class Frame {
        final char type;
        long remaining;
        final long size;
        final List<RespValue> elements = new ArrayList<>();
        final boolean attribute;

        Frame(char type, long count, boolean attribute) {
            this.type = type;
            this.remaining = count;
            this.size = count;
            this.attribute = attribute;
        }
    }

    /** Where the decoder is in the stream. */
    private enum State {
        /** Bytes were lost: skipping to the next line that starts with a type byte. */
        RESYNCING,
        /** Reading a line: a value's type and its text, length or count, up to CRLF. */
        LINE,
        /** Reading a bulk string's payload ({@code bulkRemaining} bytes to go). */
        BULK_PAYLOAD,
        /** Reading the CRLF after a bulk string's payload. */
        BULK_END,
        /** The stream stopped making sense as RESP: everything after is dropped. */
        BROKEN
    }

    private final int stringLimit;
    private State state = State.LINE;
    private final ArrayList<Frame> stack = new ArrayList<>();
    private final byte[] line = new byte[MAX_LINE];
    private int lineLength;
    private boolean lineCr;
    private char bulkType;
    private long bulkRemaining;
    private long bulkSize;
    private byte[] bulk;
    private byte[] bulkBuffer = new byte[64];
    private int bulkKept;
    private final boolean inlineAllowed;
    private long valueStart;
    private boolean afterNewline;
    private long valueBytes;

    /** @param inlineAllowed true for the client side, where a line without a type byte is an inline command */
    public RespDecoder(int stringLimit, boolean inlineAllowed) {
        this.stringLimit = stringLimit;
        this.inlineAllowed = inlineAllowed;
    }

    /** True when the stream stopped making sense as RESP; the decoder then drops everything. */
    public boolean broken() {
        return state == State.BROKEN;
    }

    /** Receives each complete top-level value with its size on the wire and the time of its first byte. */
    public interface Sink {
        void value(RespValue value, long wireBytes, long startMicros);
    }

    /**
     * Bytes were lost: drop the value in progress and skip to the next line that starts with
     * a type byte ({@code *} only, for commands).
     */
    public void resynchronise() {
        stack.clear();
        bulk = null;
        lineLength = 0;
        lineCr = false;
        valueBytes = 0;
        state = State.RESYNCING;
        afterNewline = false;
    }

    private boolean skipToValueStart(ByteBuffer in) {
        while (in.hasRemaining()) {
            byte b = in.get(in.position());
            if (afterNewline && (b == '*' || (!inlineAllowed && "+-:$_,#!=(%~>|".indexOf(b) >= 0))) {
                state = State.LINE;
                return true;
            }
            afterNewline = b == '\n';
            in.get();
        }
        return false;
    }

    /** Consumes all of {@code in}, handing each value it completes to the sink. */
    public void decode(ByteBuffer in, long micros, Sink sink) {
        if (state == State.RESYNCING && !skipToValueStart(in)) {
            return;
        }
        while (in.hasRemaining() && state != State.BROKEN) {
            if (idle()) {
                valueStart = micros;
                valueBytes = 0;
            }
            int before = in.position();
            RespValue v = state == State.LINE ? (line(in) ? parseLine() : null) : bulk(in);
            valueBytes += in.position() - before;
            if (v != null) {
                RespValue done = complete(v);
                if (done != null) {
                    sink.value(done, valueBytes, valueStart);
                    valueBytes = 0;
                }
            }
        }
        if (state == State.BROKEN) {
            in.position(in.limit());
        }
    }

    private boolean idle() {
        return stack.isEmpty() && state == State.LINE && lineLength == 0 && !lineCr && valueBytes == 0;
    }

    /** Accumulates up to CRLF; false while the line is incomplete. A CR without LF is data. */
    private boolean line(ByteBuffer in) {
        int p = in.position();
        int lim = in.limit();
        if (lineCr && p < lim) {
            lineCr = false;
            if (in.get(p) == '\n') {
                in.position(p + 1);
                return true;
            }
            append((byte) '\r');
        }
        int from = p;
        for (int i = p; i < lim && state != State.BROKEN; i++) {
            if (in.get(i) != '\r') continue;
            appendRange(in, from, i);
            if (i + 1 == lim) {
                lineCr = state != State.BROKEN;
                in.position(lim);
                return false;
            }
            if (in.get(i + 1) == '\n') {
                in.position(i + 2);
                return state != State.BROKEN;
            }
            from = i + 1;
            append((byte) '\r');
        }
        if (state != State.BROKEN) appendRange(in, from, lim);
        in.position(lim);
        return false;
    }

    /** Copies a run of a line in one go: lines are scanned in place, not byte by byte through the buffer. */
    private void appendRange(ByteBuffer in, int from, int to) {
        int n = to - from;
        if (lineLength + n > MAX_LINE) {
            fail();
            return;
        }
        in.get(from, line, lineLength, n);
        lineLength += n;
    }

    private void append(byte b) {
        if (lineLength == MAX_LINE) {
            fail();
            return;
        }
        line[lineLength++] = b;
    }

    private RespValue parseLine() {
        int n = lineLength;
        lineLength = 0;
        if (n == 0) {
            // RESP does not have empty lines; tolerate them between inline commands
            return inlineAllowed && stack.isEmpty() ? null : fail();
        }
        char type = (char) (line[0] & 0xff);
        switch (type) {
            case '+', '-', ':', ',', '(' -> {
                return new RespValue(type, new String(line, 1, n - 1, StandardCharsets.ISO_8859_1), null, n - 1);
            }
            case '#' -> {
                return new RespValue(type, n == 2 && line[1] == 't' ? "true" : "false", null, 1);
            }
            case '_' -> {
                return new RespValue(type, null, null, 0);
            }
            case '$', '!', '=' -> {
                long len = number(line, n);
                if (len == -1 && type == '$') {
                    return new RespValue('_', null, null, 0);
                }
                if (len < 0) {
                    return fail();
                }
                bulkType = type;
                bulkRemaining = len;
                state = len > 0 ? State.BULK_PAYLOAD : State.BULK_END;
                bulkSize = len;
                int keep = (int) Math.min(len, stringLimit);
                if (bulkBuffer.length < keep) bulkBuffer = new byte[keep];
                bulk = bulkBuffer; // reused: each payload becomes a String before the next one starts
                bulkKept = 0;
                return null;
            }
            case '*', '%', '~', '>', '|' -> {
                long count = number(line, n);
                if (count == -1 && type == '*') {
                    return new RespValue('_', null, null, 0);
                }
                if (count < 0 || stack.size() >= MAX_DEPTH) {
                    return fail();
                }
                long elements = type == '%' || type == '|' ? count * 2 : count;
                if (elements == 0) {
                    return new RespValue(type, null, List.of(), 0);
                }
                stack.add(new Frame(type, elements, type == '|'));
                return null;
            }
            default -> {
                if (!inlineAllowed || !stack.isEmpty()) {
                    return fail();
                }
                return inline(new String(line, 0, n, StandardCharsets.ISO_8859_1));
            }
        }
    }

    private static RespValue inline(String text) {
        List<RespValue> words = new ArrayList<>();
        for (String w : text.trim().split("\\s+")) {
            if (!w.isEmpty() && words.size() < MAX_ELEMENTS) {
                words.add(new RespValue('$', w, null, w.length()));
            }
        }
        return words.isEmpty() ? null : new RespValue(' ', null, words, words.size());
    }

    private RespValue bulk(ByteBuffer in) {
        if (state == State.BULK_PAYLOAD) {
            int n = (int) Math.min(bulkRemaining, in.remaining());
            int keep = (int) Math.min(n, Math.min(bulkSize, stringLimit) - bulkKept);
            in.get(bulk, bulkKept, keep);
            bulkKept += keep;
            in.position(in.position() + (n - keep));
            bulkRemaining -= n;
            if (bulkRemaining > 0) {
                return null;
            }
            state = State.BULK_END;
        }
        // the payload is followed by CRLF
        if (!line(in)) {
            return null;
        }
        if (lineLength != 0) {
            return fail();
        }
        state = State.LINE;
        String text = new String(bulk, 0, bulkKept, StandardCharsets.UTF_8);
        bulk = null;
        if (bulkType == '=' && text.length() > 4 && text.charAt(3) == ':') {
            text = text.substring(4); // verbatim string: "txt:" format prefix
        }
        return new RespValue(bulkType == '!' ? '!' : '$', text, null, bulkSize);
    }

    /** Adds a finished value to the aggregate being built; returns a finished top-level value. */
    private RespValue complete(RespValue v) {
        while (true) {
            if (stack.isEmpty()) {
                return v;
            }
            Frame top = stack.getLast();
            if (top.elements.size() < MAX_ELEMENTS) {
                top.elements.add(v);
            }
            if (--top.remaining > 0) {
                return null;
            }
            stack.removeLast();
            if (top.attribute) {
                return null; // attributes annotate the next value; they are not a reply
            }
            v = new RespValue(top.type, null, Collections.unmodifiableList(top.elements), top.size);
        }
    }

    /** The decimal after the type byte of {@code line[0..n)}; -2 when it is not one. */
    private static long number(byte[] line, int n) {
        int i = 1;
        boolean negative = n > 1 && line[1] == '-';
        if (negative || n > 1 && line[1] == '+') i++;
        if (i >= n || n - i > 18) return -2;
        long v = 0;
        for (; i < n; i++) {
            int d = line[i] - '0';
            if (d < 0 || d > 9) return -2;
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    private RespValue fail() {
        state = State.BROKEN;
        stack.clear();
        return null;
    }
}
