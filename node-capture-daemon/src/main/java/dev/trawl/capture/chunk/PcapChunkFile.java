package dev.trawl.capture.chunk;

import dev.trawl.core.pcap.PcapFormatException;
import dev.trawl.core.pcap.PcapProbe;
import dev.trawl.core.pcap.PcapReader;
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
 * Reads back a chunk the capture wrote (libpcap's dumper, or the core pcap writer in replay):
 * packet count, time range, link type and SHA-256. The meta of a chunk is computed from the file
 * itself, so a chunk found in the spool after a crash gets exactly the meta (and the key) it
 * would have had; a chunk whose writer died mid-record is recognised by where its last complete
 * record ends.
 */
public final class PcapChunkFile {
    public static final int FILE_HEADER = 24;

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
        if (size < FILE_HEADER) throw new IOException(file.getFileName() + " is not a PCAP file: shorter than its 24-byte header");
        ByteBuffer header = ByteBuffer.allocate(FILE_HEADER);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.read(header, 0);
        }
        header.order(PcapProbe.of(header.getInt(0)).map(PcapProbe::order).orElse(ByteOrder.LITTLE_ENDIAN));
        int snaplen = header.getInt(16);
        int fileLinkType = header.getInt(20) & 0x0fffffff;

        long valid = FILE_HEADER, packets = 0, captured = 0, min = Long.MAX_VALUE, max = Long.MIN_VALUE, previous = Long.MIN_VALUE;
        boolean ordered = true;
        try (PcapReader reader = PcapReader.open(file)) {
            if (reader.format() != PcapReader.Format.PCAP) throw new IOException(file.getFileName() + " is not a classic PCAP chunk");
            while (true) {
                try {
                    if (!reader.next()) break;
                } catch (PcapFormatException e) {
                    // a torn last record (the writer died mid-write): everything before it stands
                    valid = e.offset();
                    break;
                }
                long ts = reader.timestampNanos();
                if (ts < previous) ordered = false;
                previous = ts;
                min = Math.min(min, ts);
                max = Math.max(max, ts);
                packets++;
                captured += reader.capturedLength();
                valid = reader.position();
            }
        }
        if (packets == 0) min = max = 0;
        return new Scan(size, valid, packets, captured, min, max, fileLinkType, snaplen, ordered, sha256(file, valid));
    }

    /**
     * Rewrites a chunk in time order (equal times keep their order). libpcap on {@code any}
     * delivers each CPU's packets in turn, so a live chunk may step back by microseconds, while a
     * chunk is promised time-ordered (the export merges chunks and expects it). Memory: an index
     * of 16 bytes and an Integer per packet, bounded by the rotation size.
     */
    public static void sortByTime(Path file) throws IOException {
        int n = 0;
        long[] times = new long[1024], starts = new long[1024];
        try (PcapReader reader = PcapReader.open(file)) {
            long start = FILE_HEADER;
            while (reader.next()) {
                if (n == times.length) {
                    times = java.util.Arrays.copyOf(times, n * 2);
                    starts = java.util.Arrays.copyOf(starts, n * 2 + 1);
                }
                times[n] = reader.timestampNanos();
                starts[n++] = start;
                start = reader.position();
            }
            if (starts.length == n) starts = java.util.Arrays.copyOf(starts, n + 1);
            starts[n] = start; // the end of the last record
        }
        long[] t = times;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, java.util.Comparator.comparingLong(i -> t[i])); // stable
        Path sorted = file.resolveSibling(file.getFileName() + ".sorting");
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
                var out = new java.io.BufferedOutputStream(Files.newOutputStream(sorted), 1 << 16)) {
            ByteBuffer record = ByteBuffer.allocate(1 << 16);
            copy(in, record, 0, FILE_HEADER, out);
            for (int i : order) copy(in, record, starts[i], (int) (starts[i + 1] - starts[i]), out);
        }
        Files.move(sorted, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Copies {@code length} bytes at {@code offset} of {@code in} to {@code out}. */
    private static void copy(FileChannel in, ByteBuffer buffer, long offset, int length, java.io.OutputStream out) throws IOException {
        ByteBuffer b = buffer.capacity() >= length ? buffer.clear().limit(length) : ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (in.read(b, offset + b.position()) < 0) throw new IOException("chunk shrank while it was sorted");
        }
        out.write(b.array(), 0, length);
    }

    /** Cuts a torn last record (the writer died mid-write), so the rest is a valid PCAP again. */
    public static void truncate(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
            ch.force(true);
        }
    }

    private static String sha256(Path file, long length) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = new byte[1 << 16];
            long left = length;
            while (left > 0) {
                int n = in.read(b, 0, (int) Math.min(b.length, left));
                if (n < 0) break;
                sha.update(b, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
