package dev.trawl.capture.chunk;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads back a chunk the capture wrote (libpcap's dumper or {@link PcapChunkWriter}): packet
 * count, time range, link type and SHA-256 in one pass over the file. The meta of a chunk is
 * computed from the file itself, so a chunk found in the spool after a crash gets exactly the
 * meta (and the key) it would have had.
 */
public final class PcapChunkFile {
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    public static final int FILE_HEADER = 24;
    public static final int RECORD_HEADER = 16;

    private PcapChunkFile() {}

    /**
     * What a scan found.
     *
     * @param validLength bytes up to the end of the last complete record (less than the file
     *                    size when the writer was killed mid-record)
     * @param minNanos    earliest packet timestamp (ns since the epoch); 0 with no packets
     * @param maxNanos    latest packet timestamp; 0 with no packets
     * @param capturedBytes sum of the records' captured lengths
     * @param ordered     whether timestamps never went backwards
     * @param sha256      hex SHA-256 of the first validLength bytes
     */
    public record Scan(long size, long validLength, long packets, long capturedBytes, long minNanos, long maxNanos,
            int linkType, int snaplen, boolean ordered, String sha256) {
        public boolean complete() {
            return validLength == size;
        }
    }

    public static Scan scan(Path file) throws IOException {
        long size = Files.size(file);
        MessageDigest sha = sha256();
        try (InputStream raw = Files.newInputStream(file);
                var in = new BufferedInputStream(raw, 1 << 16)) {
            byte[] header = new byte[FILE_HEADER];
            if (readFully(in, header, FILE_HEADER) < FILE_HEADER) {
                throw new IOException(file.getFileName() + " is not a PCAP file: shorter than its 24-byte header");
            }
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            int magic = h.getInt(0);
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
                order = ByteOrder.BIG_ENDIAN;
                h.order(order);
                magic = h.getInt(0);
                if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
                    throw new IOException(file.getFileName() + " is not a classic PCAP file (magic " + Integer.toHexString(magic) + ")");
                }
            }
            boolean nanos = magic == MAGIC_NANOS;
            int snaplen = h.getInt(16);
            int linkType = h.getInt(20) & 0x0fffffff;
            sha.update(header);

            long valid = FILE_HEADER, packets = 0, captured = 0, min = Long.MAX_VALUE, max = Long.MIN_VALUE, previous = Long.MIN_VALUE;
            boolean ordered = true;
            byte[] rec = new byte[RECORD_HEADER];
            ByteBuffer r = ByteBuffer.wrap(rec).order(order);
            byte[] body = new byte[1 << 16];
            while (true) {
                int n = readFully(in, rec, RECORD_HEADER);
                if (n < RECORD_HEADER) break;
                long sec = r.getInt(0) & 0xffffffffL;
                long frac = r.getInt(4) & 0xffffffffL;
                int incl = r.getInt(8);
                if (incl < 0 || incl > Math.max(snaplen, 1 << 18)) break; // garbage after a torn write
                if (body.length < incl) body = new byte[incl];
                if (readFully(in, body, incl) < incl) break;
                sha.update(rec);
                sha.update(body, 0, incl);
                long ts = sec * 1_000_000_000L + (nanos ? frac : frac * 1000L);
                if (ts < previous) ordered = false;
                previous = ts;
                min = Math.min(min, ts);
                max = Math.max(max, ts);
                packets++;
                captured += incl;
                valid += RECORD_HEADER + incl;
            }
            if (packets == 0) min = max = 0;
            return new Scan(size, valid, packets, captured, min, max, linkType, snaplen, ordered,
                    HexFormat.of().formatHex(sha.digest()));
        }
    }

    /** Cuts a torn last record (the writer died mid-write), so the rest is a valid PCAP again. */
    public static void truncate(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
            ch.force(true);
        }
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int readFully(InputStream in, byte[] b, int len) throws IOException {
        int off = 0;
        while (off < len) {
            int n = in.read(b, off, len - off);
            if (n < 0) return off;
            off += n;
        }
        return off;
    }
}
