package dev.trawl.core.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A movable view of a capture's bytes: a mapped region of a file, or a bounded buffer refilled
 * from a stream. The reader asks for ranges by file offset and reads them in place.
 */
abstract sealed class Window implements AutoCloseable permits MappedWindow, StreamWindow {

    /** The buffer holding the current range; index 0 is file offset {@link #base}. */
    ByteBuffer buf;
    /** File offset of {@code buf} index 0. */
    long base;

    /**
     * Makes {@code [offset, offset + length)} readable in {@link #buf}. Returns false when the
     * capture ends before that; then {@link #available(long)} tells how much there is.
     * Offsets only move forward.
     */
    abstract boolean request(long offset, int length) throws IOException;

    /** Bytes readable from {@code offset} on without further I/O (at least what the last request made readable). */
    final int available(long offset) {
        long rel = offset - base;
        if (rel < 0 || rel > buf.limit()) return 0;
        return buf.limit() - (int) rel;
    }

    /** Index of a file offset inside {@link #buf}. */
    final int index(long offset) {
        return (int) (offset - base);
    }

    /** The file length when known, or -1 for a stream. */
    abstract long size();

    @Override
    public abstract void close() throws IOException;
}
