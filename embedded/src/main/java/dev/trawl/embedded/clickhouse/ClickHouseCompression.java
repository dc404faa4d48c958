package dev.trawl.embedded.clickhouse;

import com.clickhouse.data.ClickHouseCityHash;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4FastDecompressor;

/**
 * ClickHouse's native block compression as its HTTP interface uses it ({@code compress=1} for the
 * response, {@code decompress=1} for the request body): blocks of
 * {@code checksum(16) | method(1) | compressed size(4) | uncompressed size(4) | data}, the checksum
 * a CityHash128 of everything after it. The stock Java client asks for it unless told
 * {@code compress=false}.
 */
final class ClickHouseCompression {
    private static final int HEADER = 9;
    private static final int CHECKSUM = 16;
    private static final byte NONE = 0x02;
    private static final byte LZ4 = (byte) 0x82;
    private static final byte ZSTD = (byte) 0x90;
    private static final int BLOCK = 1 << 20;
    private static final int CANNOT_DECOMPRESS = 271;
    private static final LZ4Factory FACTORY = LZ4Factory.fastestJavaInstance();

    static OutputStream compressing(OutputStream out) {
        return new Compressing(out, FACTORY.fastCompressor());
    }

    static InputStream decompressing(InputStream in) {
        return new Decompressing(in, FACTORY.fastDecompressor());
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    private static int getInt(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) b[at + i] = (byte) (v >>> (8 * i));
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | (b[at + i] & 0xff);
        return v;
    }

    private static final class Compressing extends OutputStream {
        private final OutputStream out;
        private final LZ4Compressor compressor;
        private final byte[] block = new byte[BLOCK];
        private final byte[] frame;
        private int filled;

        Compressing(OutputStream out, LZ4Compressor compressor) {
            this.out = out;
            this.compressor = compressor;
            this.frame = new byte[CHECKSUM + HEADER + compressor.maxCompressedLength(BLOCK)];
        }

        @Override
        public void write(int b) throws IOException {
            if (filled == BLOCK) flushBlock();
            block[filled++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (filled == BLOCK) flushBlock();
                int n = Math.min(len, BLOCK - filled);
                System.arraycopy(b, off, block, filled, n);
                filled += n;
                off += n;
                len -= n;
            }
        }

        private void flushBlock() throws IOException {
            if (filled == 0) return;
            int compressed = compressor.compress(block, 0, filled, frame, CHECKSUM + HEADER);
            frame[CHECKSUM] = LZ4;
            putInt(frame, CHECKSUM + 1, compressed + HEADER);
            putInt(frame, CHECKSUM + 5, filled);
            long[] hash = ClickHouseCityHash.cityHash128(frame, CHECKSUM, compressed + HEADER);
            putLong(frame, 0, hash[0]);
            putLong(frame, 8, hash[1]);
            out.write(frame, 0, CHECKSUM + HEADER + compressed);
            filled = 0;
        }

        @Override
        public void flush() throws IOException {
            flushBlock();
            out.flush();
        }

        @Override
        public void close() throws IOException {
            flushBlock();
            out.close();
        }
    }

    private static final class Decompressing extends InputStream {
        private final InputStream in;
        private final LZ4FastDecompressor decompressor;
        private final byte[] header = new byte[CHECKSUM + HEADER];
        private byte[] block = new byte[0];
        private byte[] compressed = new byte[0];
        private int position;
        private int limit;

        Decompressing(InputStream in, LZ4FastDecompressor decompressor) {
            this.in = in;
            this.decompressor = decompressor;
        }

        private boolean nextBlock() throws IOException {
            int n = in.readNBytes(header, 0, header.length);
            if (n == 0) return false;
            if (n < header.length) throw new ChdbException(CANNOT_DECOMPRESS, "Cannot decompress: the request body ends inside a block header");
            byte method = header[CHECKSUM];
            int compressedSize = getInt(header, CHECKSUM + 1);
            int size = getInt(header, CHECKSUM + 5);
            if (compressedSize < HEADER || size < 0) throw new ChdbException(CANNOT_DECOMPRESS, "Cannot decompress: bad block sizes");
            int payload = compressedSize - HEADER;
            if (compressed.length < compressedSize) compressed = new byte[compressedSize];
            System.arraycopy(header, CHECKSUM, compressed, 0, HEADER);
            if (in.readNBytes(compressed, HEADER, payload) < payload) throw new ChdbException(CANNOT_DECOMPRESS, "Cannot decompress: the request body ends inside a block");
            long[] hash = ClickHouseCityHash.cityHash128(compressed, 0, compressedSize);
            if (hash[0] != getLong(header, 0) || hash[1] != getLong(header, 8)) {
                throw new ChdbException(40, "Checksum doesn't match: corrupted data in a compressed block");
            }
            if (block.length < size) block = new byte[size];
            switch (method) {
                case LZ4 -> decompressor.decompress(compressed, HEADER, block, 0, size);
                case NONE -> System.arraycopy(compressed, HEADER, block, 0, size);
                case ZSTD -> throw new ChdbException(CANNOT_DECOMPRESS, "ZSTD-compressed request bodies are not supported by trawl's embedded ClickHouse; use LZ4");
                default -> throw new ChdbException(CANNOT_DECOMPRESS, "Unknown compression method " + (method & 0xff));
            }
            position = 0;
            limit = size;
            return true;
        }

        @Override
        public int read() throws IOException {
            while (position == limit) if (!nextBlock()) return -1;
            return block[position++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            while (position == limit) if (!nextBlock()) return -1;
            int n = Math.min(len, limit - position);
            System.arraycopy(block, position, b, off, n);
            position += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private ClickHouseCompression() {}
}
