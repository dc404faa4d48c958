package dev.trawl.dissector.job;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads {@code source} on its own thread into at most {@code blocks} blocks of {@code blockSize}
 * bytes, so the network read of a chunk overlaps its dissection; memory stays bounded by
 * {@code blocks × blockSize}. A failure of the source (including a stop request thrown from it)
 * is rethrown to the reader at the point it happened.
 */
final class ReadAheadInputStream extends InputStream {
    private static final byte[] END = new byte[0];

    private final BlockingQueue<Object> queue;
    private final Thread reader;
    private byte[] current = new byte[0];
    private int offset;
    private boolean ended;
    private volatile boolean closed;
    /** Time the consumer spent waiting for the source: the part of a chunk's time that is S3's. */
    private final java.util.concurrent.atomic.LongAdder waited;

    ReadAheadInputStream(InputStream source, int blockSize, int blocks, String name, java.util.concurrent.atomic.LongAdder waited) {
        this.queue = new ArrayBlockingQueue<>(blocks);
        this.waited = waited;
        this.reader = Thread.ofPlatform().daemon(true).name("read-ahead " + name).start(() -> {
            try (source) {
                while (!closed) {
                    byte[] block = source.readNBytes(blockSize);
                    if (block.length == 0) break;
                    queue.put(block);
                    if (block.length < blockSize) break;
                }
                queue.put(END);
            } catch (InterruptedException stopped) {
                // closed by the consumer
            } catch (Throwable e) {
                try {
                    queue.put(e);
                } catch (InterruptedException stopped) {
                    // closed by the consumer
                }
            }
        });
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        while (offset == current.length) {
            if (ended) return -1;
            Object next;
            long start = System.nanoTime();
            try {
                next = queue.take();
                waited.add(System.nanoTime() - start);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while reading ahead");
            }
            if (next == END) {
                ended = true;
                return -1;
            }
            if (next instanceof IOException e) throw e;
            if (next instanceof RuntimeException e) throw e;
            if (next instanceof Error e) throw e;
            current = (byte[]) next;
            offset = 0;
        }
        int n = Math.min(len, current.length - offset);
        System.arraycopy(current, offset, b, off, n);
        offset += n;
        return n;
    }

    @Override
    public void close() {
        closed = true;
        reader.interrupt();
        queue.clear();
        current = new byte[0];
    }
}
