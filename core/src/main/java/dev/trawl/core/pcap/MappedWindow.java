package dev.trawl.core.pcap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Maps a file region by region. Each region's arena is closed as soon as the reader moves past
 * it, so a 50 GB file costs one region of address space, not fifty.
 */
final class MappedWindow extends Window {
    static final int DEFAULT_REGION = 256 << 20;

    private final FileChannel channel;
    private final long size;
    private final int region;
    private Arena arena;

    MappedWindow(Path file, int region) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.READ);
        this.size = channel.size();
        this.region = region;
        this.buf = ByteBuffer.allocate(0);
        this.base = 0;
    }

    @Override
    boolean request(long offset, int length) throws IOException {
        if (offset - base >= 0 && offset + length <= base + buf.limit()) return true;
        if (offset >= size) {
            remap(Math.min(offset, size), 0);
            return length == 0;
        }
        long want = Math.max(region, length);
        long len = Math.min(want, size - offset);
        remap(offset, len);
        return len >= length;
    }

    private void remap(long offset, long len) throws IOException {
        Arena old = arena;
        if (len == 0) {
            buf = ByteBuffer.allocate(0);
            arena = null;
        } else {
            arena = Arena.ofShared();
            MemorySegment seg = channel.map(FileChannel.MapMode.READ_ONLY, offset, len, arena);
            buf = seg.asByteBuffer();
        }
        base = offset;
        if (old != null) old.close();
    }

    @Override
    long size() {
        return size;
    }

    @Override
    public void close() throws IOException {
        try {
            if (arena != null) arena.close();
            arena = null;
        } finally {
            channel.close();
        }
    }
}
