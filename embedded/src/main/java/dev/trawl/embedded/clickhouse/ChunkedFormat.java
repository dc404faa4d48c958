package dev.trawl.embedded.clickhouse;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * How chDB's chunked output of a format joins into one response. chDB formats every chunk of a
 * streamed result on its own, so each chunk repeats the format's header (column names and types)
 * and, for document formats such as JSON or Pretty, its whole frame. Row-per-line and block formats
 * concatenate as they are; header formats concatenate once the repeated header is cut; anything
 * else is not streamed at all.
 */
enum ChunkedFormat {
    /** Chunks concatenate unchanged. */
    CONCATENATE,
    /** A header of one or two text lines leads every chunk. */
    ONE_HEADER_LINE,
    TWO_HEADER_LINES,
    /** RowBinaryWithNames(AndTypes): a varint column count and that many (or twice as many) strings. */
    BINARY_NAMES,
    BINARY_NAMES_AND_TYPES,
    /** A document (JSON, Pretty, Parquet...): run the statement to the end and send the whole thing. */
    WHOLE;

    private static final Set<String> CONCATENABLE = Set.of(
            "rowbinary", "tabseparated", "tsv", "tabseparatedraw", "tsvraw", "raw", "csv", "jsoneachrow", "jsonlines",
            "ndjson", "jsoncompacteachrow", "jsonstringseachrow", "jsoncompactstringseachrow", "native", "lineasstring",
            "rawblob", "tskv", "null");
    private static final Set<String> LINE_HEADED = Set.of(
            "tabseparated", "tsv", "tabseparatedraw", "tsvraw", "raw", "csv", "jsoncompacteachrow", "jsoncompactstringseachrow");

    static ChunkedFormat of(String format) {
        String f = format.toLowerCase(Locale.ROOT);
        if (CONCATENABLE.contains(f)) return CONCATENATE;
        if (f.equals("rowbinarywithnames")) return BINARY_NAMES;
        if (f.equals("rowbinarywithnamesandtypes")) return BINARY_NAMES_AND_TYPES;
        if (f.endsWith("withnamesandtypes") && LINE_HEADED.contains(f.substring(0, f.length() - "withnamesandtypes".length()))) return TWO_HEADER_LINES;
        if (f.endsWith("withnames") && LINE_HEADED.contains(f.substring(0, f.length() - "withnames".length()))) return ONE_HEADER_LINE;
        return WHOLE;
    }

    boolean hasHeader() {
        return this != CONCATENATE && this != WHOLE;
    }

    /** Length of the header that leads {@code chunk}. */
    int headerLength(byte[] chunk) {
        return switch (this) {
            case CONCATENATE, WHOLE -> 0;
            case ONE_HEADER_LINE -> afterLines(chunk, 1);
            case TWO_HEADER_LINES -> afterLines(chunk, 2);
            case BINARY_NAMES -> afterStrings(chunk, 1);
            case BINARY_NAMES_AND_TYPES -> afterStrings(chunk, 2);
        };
    }

    /** The part of a later chunk after the header it repeats. */
    byte[] body(byte[] chunk, byte[] header) {
        if (chunk.length < header.length || !Arrays.equals(chunk, 0, header.length, header, 0, header.length)) {
            throw new ChdbException(ChdbException.UNKNOWN_EXCEPTION, "a streamed chunk did not repeat the result's header");
        }
        return Arrays.copyOfRange(chunk, header.length, chunk.length);
    }

    private static int afterLines(byte[] b, int lines) {
        int i = 0;
        for (int seen = 0; seen < lines; seen++) {
            while (i < b.length && b[i] != '\n') i++;
            i = Math.min(b.length, i + 1);
        }
        return i;
    }

    private static int afterStrings(byte[] b, int perColumn) {
        int[] at = {0};
        long columns = varint(b, at);
        for (long s = 0; s < columns * perColumn; s++) {
            long length = varint(b, at);
            at[0] += (int) length;
        }
        return Math.min(at[0], b.length);
    }

    private static long varint(byte[] b, int[] at) {
        long value = 0;
        for (int shift = 0; at[0] < b.length; shift += 7) {
            int x = b[at[0]++] & 0xff;
            value |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) break;
        }
        return value;
    }
}
