package dev.trawl.engine.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

    private final int stringLimit;
    private final ArrayList<Frame> stack = new ArrayList<>();
    private final byte[] line = new byte[MAX_LINE];
    private int lineLength;
    private boolean lineCr;
    private char bulkType;
    private long bulkRemaining = -1;   // >= 0 while reading a bulk payload, then its CRLF
    private long bulkSize;
    private byte[] bulk;
    private int bulkKept;
    private boolean broken;
    private final boolean inlineAllowed;
    private long valueStart;
    private boolean resyncing;
    private boolean afterNewline;
    private long valueBytes;

    /** @param inlineAllowed true for the client side, where a line without a type byte is an inline command */
    public RespDecoder(int stringLimit, boolean inlineAllowed) {
        this.stringLimit = stringLimit;
        this.inlineAllowed = inlineAllowed;
    }

    /** True when the stream stopped making sense as RESP; the decoder then drops everything. */
    public boolean broken() {
        return broken;
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
        bulkRemaining = -1;
        lineLength = 0;
        lineCr = false;
        valueBytes = 0;
        broken = false;
        resyncing = true;
        afterNewline = false;
    }

    private boolean skipToValueStart(ByteBuffer in) {
        while (in.hasRemaining()) {
            byte b = in.get(in.position());
            if (afterNewline && (b == '*' || (!inlineAllowed && "+-:$_,#!=(%~>|".indexOf(b) >= 0))) {
                resyncing = false;
                return true;
            }
            afterNewline = b == '\n';
            in.get();
        }
        return false;
    }

    /** Consumes all of {@code in}, handing each value it completes to the sink. */
    public void decode(ByteBuffer in, long micros, Sink sink) {
        if (resyncing && !skipToValueStart(in)) {
            return;
        }
        while (in.hasRemaining() && !broken) {
            if (idle()) {
                valueStart = micros;
                valueBytes = 0;
            }
            int before = in.position();
            RespValue v;
            if (bulkRemaining >= 0) {
                v = bulk(in);
            } else {
                v = line(in) ? parseLine() : null;
            }
            valueBytes += in.position() - before;
            if (v != null) {
                RespValue done = complete(v);
                if (done != null) {
                    sink.value(done, valueBytes, valueStart);
                    valueBytes = 0;
                }
            }
        }
        if (broken) {
            in.position(in.limit());
        }
    }

    private boolean idle() {
        return stack.isEmpty() && bulkRemaining < 0 && lineLength == 0 && !lineCr && valueBytes == 0;
    }

    /** Accumulates up to CRLF; false while the line is incomplete. */
    private boolean line(ByteBuffer in) {
        while (in.hasRemaining()) {
            byte b = in.get();
            if (lineCr && b == '\n') {
                lineCr = false;
                return true;
            }
            if (lineCr) {
                append((byte) '\r');
            }
            lineCr = b == '\r';
            if (!lineCr) {
                append(b);
            }
            if (broken) {
                return false;
            }
        }
        return false;
    }

    private void append(byte b) {
        if (lineLength == MAX_LINE) {
            broken = true;
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
        String rest = new String(line, 1, n - 1, StandardCharsets.ISO_8859_1);
        switch (type) {
            case '+', '-', ':', ',', '(' -> {
                return new RespValue(type, rest, null, rest.length());
            }
            case '#' -> {
                return new RespValue(type, rest.equals("t") ? "true" : "false", null, 1);
            }
            case '_' -> {
                return new RespValue(type, null, null, 0);
            }
            case '$', '!', '=' -> {
                long len = number(rest);
                if (len == -1 && type == '$') {
                    return new RespValue('_', null, null, 0);
                }
                if (len < 0) {
                    return fail();
                }
                bulkType = type;
                bulkRemaining = len;
                bulkSize = len;
                bulk = new byte[(int) Math.min(len, stringLimit)];
                bulkKept = 0;
                return null;
            }
            case '*', '%', '~', '>', '|' -> {
                long count = number(rest);
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
        if (bulkRemaining > 0) {
            int n = (int) Math.min(bulkRemaining, in.remaining());
            int keep = Math.min(n, bulk.length - bulkKept);
            in.get(bulk, bulkKept, keep);
            bulkKept += keep;
            in.position(in.position() + (n - keep));
            bulkRemaining -= n;
            if (bulkRemaining > 0) {
                return null;
            }
        }
        // the payload is followed by CRLF
        if (!line(in)) {
            return null;
        }
        if (lineLength != 0) {
            return fail();
        }
        bulkRemaining = -1;
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
            v = new RespValue(top.type, null, List.copyOf(top.elements), top.size);
        }
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -2;
        }
    }

    private RespValue fail() {
        broken = true;
        stack.clear();
        return null;
    }
}
