package dev.trawl.core.pcap;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A bounded buffer over a stream (an S3 object, a pipe). It grows only to hold the largest record
 * asked for, which the reader has already checked against its length limit.
 */
final class StreamWindow extends Window {
    private final InputStream in;
    private boolean eof;

    StreamWindow(InputStream in, int initialCapacity) {
        this.in = in;
        this.buf = ByteBuffer.allocate(initialCapacity);
        this.buf.limit(0);
        this.base = 0;
    }

    @Override
    boolean request(long offset, int length) throws IOException {
        long end = base + buf.limit();
        if (offset >= base && offset + length <= end) return true;
        if (offset > end) {
            // skip what is not needed without buffering it
            long skip = offset - end;
            long skipped = skipFully(skip);
            base = end + skipped;
            buf.limit(0);
            if (skipped < skip) {
                eof = true;
                return length == 0;
            }
        } else {
            // keep [offset, end), move it to the front
            int keepFrom = (int) (offset - base);
            int keep = buf.limit() - keepFrom;
            if (length > buf.capacity()) {
                ByteBuffer bigger = ByteBuffer.allocate((int) Math.max(length, Math.min(buf.capacity() * 2L, Integer.MAX_VALUE - 16)));
                System.arraycopy(buf.array(), keepFrom, bigger.array(), 0, keep);
                bigger.order(buf.order());
                buf = bigger;
            } else if (keepFrom > 0) {
                System.arraycopy(buf.array(), keepFrom, buf.array(), 0, keep);
            }
            buf.limit(keep);
            base = offset;
        }
        byte[] array = buf.array();
        while (buf.limit() < length && !eof) {
            int n = in.read(array, buf.limit(), buf.capacity() - buf.limit());
            if (n < 0) {
                eof = true;
            } else {
                buf.limit(buf.limit() + n);
            }
        }
        return buf.limit() >= length;
    }

    private long skipFully(long n) throws IOException {
        long done = 0;
        byte[] scratch = null;
        while (done < n) {
            long s = in.skip(n - done);
            if (s > 0) {
                done += s;
                continue;
            }
            if (scratch == null) scratch = new byte[8192];
            int r = in.read(scratch, 0, (int) Math.min(scratch.length, n - done));
            if (r < 0) break;
            done += r;
        }
        return done;
    }

    @Override
    long size() {
        return -1;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
