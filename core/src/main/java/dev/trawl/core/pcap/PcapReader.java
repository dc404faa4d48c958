package dev.trawl.core.pcap;

import dev.trawl.core.pcap.PcapFormatException.Kind;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads pcap (both byte orders, µs and ns timestamps, the modified/Kuznetzov variant) and pcapng
 * (several sections and interfaces, each with its link type and timestamp resolution; EPB, SPB
 * and the obsolete OPB; other blocks skipped) as a cursor: {@link #next()} moves to the next
 * packet and the accessors describe it. Nothing is allocated per packet: {@link #data()} is a
 * view of the mapped or buffered bytes, valid until the next call to {@code next()}.
 *
 * <p>Damage never crashes the reader, never makes it loop, and never makes it allocate more
 * than {@link #maxRecordLength()} bytes: {@code next()} throws a {@link PcapFormatException}
 * carrying the kind and byte offset, and a following {@code next()} continues after the
 * damage (resynchronising on the next plausible record) or reports the end.
 *
 * <p>Not thread-safe; one reader per thread.
 */
public final class PcapReader implements AutoCloseable {

    /** Largest record (pcap) or block (pcapng) accepted unless configured otherwise. */
    public static final int DEFAULT_MAX_RECORD = 16 << 20;
    /** How far the reader looks for a plausible record after damage before giving up. */
    private static final int RESYNC_LIMIT = 8 << 20;

    public enum Format { PCAP, PCAPNG }

    private static final int NG_SHB = 0x0A0D0D0A;
    private static final int NG_BOM = 0x1A2B3C4D;
    private static final int NG_IDB = 1;
    private static final int NG_OPB = 2;
    private static final int NG_SPB = 3;
    private static final int NG_EPB = 6;

    private final Window in;
    private final String name;
    private final int maxRecord;
    private final Format format;

    private boolean bigEndian;
    private long pos;              // file offset of the next record or block
    private boolean ended;
    private long records;
    private long damageCount;

    // pcap
    private boolean nanos;
    private int recordHeader;      // 16, or 24 for the modified format
    private int pcapLinkType;
    private int snaplen;
    private long lastSeconds = -1;

    // pcapng: per interface of the current section
    private int ifCount;
    private int[] ifLinkType = new int[4];
    private long[] ifTsUnitsPerSecond = new long[4];
    private boolean[] ifTsPow2 = new boolean[4];
    private int[] ifTsPow2Shift = new int[4];
    private long[] ifTsOffsetSeconds = new long[4];
    private int[] ifSnaplen = new int[4];

    // current record
    private long tsNanos;
    private int iface;
    private int linkType;
    private int capLen;
    private int origLen;
    private long recordOffset;
    private long dataFileOffset;
    private ByteBuffer viewSource;
    private ByteBuffer view;

    private PcapReader(Window in, String name, int maxRecord) throws IOException {
        this.in = in;
        this.name = name;
        this.maxRecord = maxRecord;
        try {
            this.format = readFileHeader();
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Opens a file by mapping it region by region. */
    public static PcapReader open(Path file) throws IOException {
        return open(file, DEFAULT_MAX_RECORD);
    }

    public static PcapReader open(Path file, int maxRecordLength) throws IOException {
        return new PcapReader(new MappedWindow(file, MappedWindow.DEFAULT_REGION), file.toString(), maxRecordLength);
    }

    /** Reads a stream through a bounded buffer (1 MiB, growing only for a larger record). The reader closes the stream. */
    public static PcapReader open(InputStream stream, String name) throws IOException {
        return open(stream, name, DEFAULT_MAX_RECORD);
    }

    public static PcapReader open(InputStream stream, String name, int maxRecordLength) throws IOException {
        return new PcapReader(new StreamWindow(stream, 1 << 20), name, maxRecordLength);
    }

    // ---------------------------------------------------------------- header

    private Format readFileHeader() throws IOException {
        if (!in.request(0, 4)) {
            throw new PcapFormatException(Kind.BAD_MAGIC, 0, name + ": shorter than a capture file header");
        }
        int magicBE = in.buf.getInt(0);
        PcapProbe probe = PcapProbe.of(magicBE).orElseThrow(() -> new PcapFormatException(Kind.BAD_MAGIC, 0,
                name + ": not a pcap or pcapng file (magic " + String.format("0x%08x", magicBE) + ")"));
        bigEndian = probe.order() == java.nio.ByteOrder.BIG_ENDIAN;
        if (probe.format() == Format.PCAPNG) {
            pos = 0;
            return Format.PCAPNG;
        }
        if (!in.request(0, 24)) {
            throw new PcapFormatException(Kind.TRUNCATED, 0, name + ": pcap global header is cut short");
        }
        nanos = probe.nanos();
        recordHeader = probe.recordHeaderLength();
        int major = u16(4);
        if (major != 2) {
            throw new PcapFormatException(Kind.BAD_MAGIC, 4, name + ": unsupported pcap version " + major);
        }
        snaplen = i32(16);
        // the upper bits of the link-type field carry an FCS length; the type is the low 16
        pcapLinkType = i32(20) & 0xFFFF;
        pos = 24;
        return Format.PCAP;
    }

    // ---------------------------------------------------------------- cursor

    /**
     * Moves to the next packet. Returns false at the end of the capture. Throws
     * {@link PcapFormatException} on damage; calling again continues after it.
     */
    public boolean next() throws IOException {
        if (ended) return false;
        return format == Format.PCAP ? nextPcap() : nextPcapng();
    }

    private boolean nextPcap() throws IOException {
        if (!in.request(pos, recordHeader)) {
            int have = in.available(pos);
            ended = true;
            if (have == 0) return false;
            throw damage(Kind.TRUNCATED, pos, "record header cut short (" + have + " of " + recordHeader + " bytes)");
        }
        int h = in.index(pos);
        long sec = u32(h);
        long frac = u32(h + 4);
        int cap = i32(h + 8);
        int orig = i32(h + 12);
        if (cap < 0 || cap > maxRecord) {
            long at = pos;
            resyncPcap(pos + 1);
            throw damage(Kind.ABSURD_LENGTH, at, "captured length " + Integer.toUnsignedString(cap) + " exceeds the limit "
                    + maxRecord);
        }
        long dataAt = pos + recordHeader;
        if (!in.request(dataAt, cap)) {
            ended = true;
            throw damage(Kind.TRUNCATED, pos, "record of " + cap + " bytes cut short (" + in.available(dataAt) + " present)");
        }
        recordOffset = pos;
        pos = dataAt + cap;
        lastSeconds = sec;
        tsNanos = sec * 1_000_000_000L + (nanos ? frac : frac * 1000L);
        iface = 0;
        linkType = pcapLinkType;
        capLen = cap;
        origLen = orig;
        dataFileOffset = dataAt;
        records++;
        return true;
    }

    /** After damage, finds the next offset that holds a believable record header followed by another (or the end). */
    private void resyncPcap(long from) throws IOException {
        long limit = from + RESYNC_LIMIT;
        for (long p = from; p < limit; p++) {
            if (!in.request(p, recordHeader)) break;
            if (plausiblePcapHeader(p)) {
                int cap = i32(in.index(p) + 8);
                int whole = recordHeader + cap;
                if (in.request(p, whole + recordHeader)) {
                    if (plausiblePcapHeader(p + whole)) { pos = p; return; }
                } else if (in.available(p) == whole) {
                    pos = p; // the last record of the file
                    return;
                }
            }
        }
        ended = true;
    }

    private boolean plausiblePcapHeader(long p) {
        int h = in.index(p);
        long sec = u32(h);
        long frac = u32(h + 4);
        int cap = i32(h + 8);
        int orig = i32(h + 12);
        if (cap < 0 || orig < 0 || cap > maxRecord || cap > orig && orig != 0) return false;
        if (frac >= (nanos ? 1_000_000_000L : 1_000_000L)) return false;
        return lastSeconds < 0 || Math.abs(sec - lastSeconds) < 86_400L * 7;
    }

    private boolean nextPcapng() throws IOException {
        while (true) {
            if (!in.request(pos, 12)) {
                int have = in.available(pos);
                ended = true;
                if (have == 0) return false;
                throw damage(Kind.TRUNCATED, pos, "block header cut short (" + have + " bytes)");
            }
            int h = in.index(pos);
            int type = in.buf.getInt(h); // SHB type is a palindrome; others are read after the section's order is known
            if (type == NG_SHB) {
                readSectionHeader();
                continue;
            }
            type = i32(h);
            int len = i32(h + 4);
            if (len < 12 || (len & 3) != 0 || len > maxRecord) {
                long at = pos;
                resyncPcapng(pos + 4);
                throw damage(Kind.ABSURD_LENGTH, at, "block length " + Integer.toUnsignedString(len));
            }
            if (!in.request(pos, len)) {
                ended = true;
                throw damage(Kind.TRUNCATED, pos, "block of " + len + " bytes cut short (" + in.available(pos) + " present)");
            }
            h = in.index(pos);
            if (i32(h + len - 4) != len) {
                long at = pos;
                resyncPcapng(pos + 4);
                throw damage(Kind.BAD_BLOCK, at, "block trailer length " + Integer.toUnsignedString(i32(h + len - 4)) + " differs from " + len);
            }
            long blockAt = pos;
            pos += len;
            switch (type) {
                case NG_IDB -> readInterface(h, len);
                case NG_EPB -> {
                    if (len < 32) throw damage(Kind.BAD_BLOCK, blockAt, "enhanced packet block too short");
                    int id = i32(h + 8);
                    int cap = i32(h + 20);
                    int orig = i32(h + 24);
                    if (cap < 0 || cap > len - 32) throw damage(Kind.ABSURD_LENGTH, blockAt, "captured length " + Integer.toUnsignedString(cap) + " exceeds its block");
                    if (id < 0 || id >= ifCount) throw damage(Kind.UNKNOWN_INTERFACE, blockAt, "interface " + Integer.toUnsignedString(id) + " not described");
                    setPacket(blockAt, id, (u32(h + 12) << 32) | u32(h + 16), blockAt + 28, cap, orig);
                    return true;
                }
                case NG_SPB -> {
                    if (len < 16) throw damage(Kind.BAD_BLOCK, blockAt, "simple packet block too short");
                    if (ifCount == 0) throw damage(Kind.UNKNOWN_INTERFACE, blockAt, "simple packet before any interface");
                    int orig = i32(h + 8);
                    int room = len - 16;
                    int cap = orig < 0 ? room : Math.min(orig, room);
                    if (ifSnaplen[0] > 0) cap = Math.min(cap, ifSnaplen[0]);
                    // SPBs carry no timestamp
                    setPacket(blockAt, 0, -1, blockAt + 12, cap, orig);
                    tsNanos = 0;
                    return true;
                }
                case NG_OPB -> {
                    if (len < 32) throw damage(Kind.BAD_BLOCK, blockAt, "packet block too short");
                    int id = u16(h + 8);
                    int cap = i32(h + 20);
                    int orig = i32(h + 24);
                    if (cap < 0 || cap > len - 32) throw damage(Kind.ABSURD_LENGTH, blockAt, "captured length " + Integer.toUnsignedString(cap) + " exceeds its block");
                    if (id >= ifCount) throw damage(Kind.UNKNOWN_INTERFACE, blockAt, "interface " + id + " not described");
                    setPacket(blockAt, id, (u32(h + 12) << 32) | u32(h + 16), blockAt + 28, cap, orig);
                    return true;
                }
                default -> { /* statistics, name resolution, custom, decryption secrets: not packets */ }
            }
        }
    }

    private void setPacket(long blockAt, int id, long rawTs, long dataAt, int cap, int orig) {
        recordOffset = blockAt;
        iface = id;
        linkType = ifLinkType[id];
        capLen = cap;
        origLen = orig;
        dataFileOffset = dataAt;
        if (rawTs >= 0) tsNanos = toNanos(id, rawTs);
        records++;
    }

    private long toNanos(int id, long ts) {
        long offsetNs = ifTsOffsetSeconds[id] * 1_000_000_000L;
        if (ifTsPow2[id]) {
            int shift = ifTsPow2Shift[id];
            long secs = ts >>> shift;
            long frac = ts & ((1L << shift) - 1);
            return secs * 1_000_000_000L + Math.unsignedMultiplyHigh(frac << (64 - shift), 1_000_000_000L) + offsetNs;
        }
        long units = ifTsUnitsPerSecond[id];
        if (units == 1_000_000_000L) return ts + offsetNs;
        if (units < 1_000_000_000L) return ts * (1_000_000_000L / units) + offsetNs;
        long secs = Long.divideUnsigned(ts, units);
        long frac = Long.remainderUnsigned(ts, units);
        return secs * 1_000_000_000L + frac / (units / 1_000_000_000L) + offsetNs;
    }

    private void readSectionHeader() throws IOException {
        long at = pos;
        if (!in.request(pos, 28)) {
            ended = true;
            throw damage(Kind.TRUNCATED, pos, "section header cut short");
        }
        int h = in.index(pos);
        int bom = in.buf.getInt(h + 8);
        if (bom == NG_BOM) bigEndian = true;
        else if (Integer.reverseBytes(bom) == NG_BOM) bigEndian = false;
        else {
            if (at == 0) {
                ended = true;
                throw new PcapFormatException(Kind.BAD_MAGIC, 8, name + ": pcapng byte-order mark missing");
            }
            resyncPcapng(pos + 4);
            throw damage(Kind.BAD_BLOCK, at, "section header without byte-order mark");
        }
        int len = i32(h + 4);
        if (len < 28 || (len & 3) != 0 || len > maxRecord) {
            if (at == 0) {
                ended = true;
                throw new PcapFormatException(Kind.BAD_MAGIC, 4, name + ": pcapng section header length " + Integer.toUnsignedString(len));
            }
            resyncPcapng(pos + 4);
            throw damage(Kind.ABSURD_LENGTH, at, "section header length " + Integer.toUnsignedString(len));
        }
        if (!in.request(pos, len)) {
            ended = true;
            throw damage(Kind.TRUNCATED, pos, "section header of " + len + " bytes cut short");
        }
        ifCount = 0;
        pos += len;
    }

    private void readInterface(int h, int len) throws IOException {
        if (len < 20) throw damage(Kind.BAD_BLOCK, pos - len, "interface description too short");
        if (ifCount == ifLinkType.length) {
            int n = ifCount * 2;
            ifLinkType = Arrays.copyOf(ifLinkType, n);
            ifTsUnitsPerSecond = Arrays.copyOf(ifTsUnitsPerSecond, n);
            ifTsPow2 = Arrays.copyOf(ifTsPow2, n);
            ifTsPow2Shift = Arrays.copyOf(ifTsPow2Shift, n);
            ifTsOffsetSeconds = Arrays.copyOf(ifTsOffsetSeconds, n);
            ifSnaplen = Arrays.copyOf(ifSnaplen, n);
        }
        int id = ifCount++;
        ifLinkType[id] = u16(h + 8);
        ifSnaplen[id] = i32(h + 12);
        ifTsUnitsPerSecond[id] = 1_000_000L;
        ifTsPow2[id] = false;
        ifTsOffsetSeconds[id] = 0;
        int o = h + 16;
        int end = h + len - 4;
        while (o + 4 <= end) {
            int code = u16(o);
            int olen = u16(o + 2);
            if (code == 0 || o + 4 + olen > end) break;
            if (code == 9 && olen >= 1) {
                int r = in.buf.get(o + 4) & 0xFF;
                if ((r & 0x80) != 0) {
                    int shift = r & 0x7F;
                    if (shift >= 1 && shift <= 62) {
                        ifTsPow2[id] = true;
                        ifTsPow2Shift[id] = shift;
                    }
                } else if (r <= 18) {
                    long u = 1;
                    for (int i = 0; i < r; i++) u *= 10;
                    ifTsUnitsPerSecond[id] = u;
                }
            } else if (code == 14 && olen >= 8) {
                ifTsOffsetSeconds[id] = bigEndian ? in.buf.getLong(o + 4) : Long.reverseBytes(in.buf.getLong(o + 4));
            }
            o += 4 + ((olen + 3) & ~3);
        }
    }

    /** Finds the next block that looks whole: a known type and a trailer that repeats its length. */
    private void resyncPcapng(long from) throws IOException {
        long limit = from + RESYNC_LIMIT;
        for (long p = (from + 3) & ~3L; p < limit; p += 4) {
            if (!in.request(p, 12)) break;
            int h = in.index(p);
            int type = i32(h);
            if (type != NG_EPB && type != NG_IDB && type != NG_SPB && type != NG_SHB && type != 5 && type != 4) continue;
            int len = i32(h + 4);
            if (len < 12 || (len & 3) != 0 || len > maxRecord) continue;
            if (!in.request(p, len)) continue;
            h = in.index(p);
            if (i32(h + len - 4) == len) {
                pos = p;
                return;
            }
        }
        ended = true;
    }

    private PcapFormatException damage(Kind kind, long offset, String detail) {
        damageCount++;
        return new PcapFormatException(kind, offset, name + ": " + detail);
    }

    // ---------------------------------------------------------------- accessors

    public Format format() {
        return format;
    }

    /** Capture time of the current packet, in nanoseconds since the epoch (0 for a pcapng SPB). */
    public long timestampNanos() {
        return tsNanos;
    }

    /** The pcapng interface id (0 for pcap). */
    public int interfaceId() {
        return iface;
    }

    /** The LINKTYPE_ value of the current packet's interface. */
    public int linkType() {
        return linkType;
    }

    public int capturedLength() {
        return capLen;
    }

    public int originalLength() {
        return origLen;
    }

    /** File offset of the current record's header (for error reports). */
    public long recordOffset() {
        return recordOffset;
    }

    /** File offset where the next record will be read: the bytes consumed so far. */
    public long position() {
        return pos;
    }

    /** Packets returned so far. */
    public long packetCount() {
        return records;
    }

    /** Damage reported so far. */
    public long damageCount() {
        return damageCount;
    }

    public int maxRecordLength() {
        return maxRecord;
    }

    /** The file size when reading a file, -1 for a stream. */
    public long size() {
        return in.size();
    }

    /**
     * The backing buffer of the current packet, for reading with absolute indexes from
     * {@link #dataOffset()} for {@link #capturedLength()} bytes (big-endian, as on the wire).
     * Valid until the next call to {@code next()}; do not change its position or limit.
     */
    public ByteBuffer buffer() {
        return in.buf;
    }

    /** Index of the current packet's first byte in {@link #buffer()}. */
    public int dataOffset() {
        return in.index(dataFileOffset);
    }

    /**
     * The current packet's bytes as a view (position at the first byte, limit after the last),
     * shared and reused: valid until the next call to {@code next()}.
     */
    public ByteBuffer data() {
        if (viewSource != in.buf) {
            viewSource = in.buf;
            view = in.buf.duplicate();
        }
        int off = dataOffset();
        view.limit(off + capLen).position(off);
        return view;
    }

    /** Copies the current packet's bytes into a new array (for callers that keep packets). */
    public byte[] copyData() {
        byte[] out = new byte[capLen];
        in.buf.get(dataOffset(), out);
        return out;
    }

    @Override
    public void close() throws IOException {
        ended = true;
        in.close();
    }

    // ---------------------------------------------------------------- numbers in the file's byte order

    private int i32(int index) {
        int v = in.buf.getInt(index);
        return bigEndian ? v : Integer.reverseBytes(v);
    }

    private long u32(int index) {
        return i32(index) & 0xFFFFFFFFL;
    }

    private int u16(int index) {
        short v = in.buf.getShort(index);
        return (bigEndian ? v : Short.reverseBytes(v)) & 0xFFFF;
    }
}
