package dev.trawl.core.pcap;

import java.io.IOException;

/**
 * A capture file is damaged at {@link #offset()}. Thrown by {@link PcapReader#open} when the file
 * cannot be read at all (bad magic), and by {@link PcapReader#next()} for damage the reader can
 * step over: after it, calling {@code next()} again continues with the next readable record, so
 * the caller decides whether to go on or stop.
 */
public final class PcapFormatException extends IOException {

    /** What is wrong, so callers can count damage by kind. */
    public enum Kind {
        /** Not a pcap or pcapng file, or an unsupported version. */
        BAD_MAGIC,
        /** The file ends inside a header or a record. */
        TRUNCATED,
        /** A length field that cannot be right (beyond the limit, or larger than its block). */
        ABSURD_LENGTH,
        /** A pcapng block whose structure is inconsistent (trailer length, byte-order mark). */
        BAD_BLOCK,
        /** A pcapng packet that names an interface no IDB described. */
        UNKNOWN_INTERFACE,
        /** Bytes skipped to find the next plausible record after damage. */
        RESYNCHRONISED
    }

    private final Kind kind;
    private final long offset;

    public PcapFormatException(Kind kind, long offset, String detail) {
        super(kind + " at byte " + offset + ": " + detail);
        this.kind = kind;
        this.offset = offset;
    }

    public Kind kind() {
        return kind;
    }

    /** The byte offset in the file where the damage begins. */
    public long offset() {
        return offset;
    }
}
