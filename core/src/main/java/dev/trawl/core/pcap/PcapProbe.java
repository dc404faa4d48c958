package dev.trawl.core.pcap;

import java.nio.ByteOrder;
import java.util.Optional;

/**
 * What a capture file's first four bytes say it is: the one place trawl reads the magic numbers
 * of pcap (both byte orders; µs, ns and the modified variant) and pcapng.
 *
 * @param format             pcap or pcapng
 * @param order              the pcap header's byte order (pcapng: big-endian until its byte-order mark is read)
 * @param nanos              pcap timestamps in nanoseconds rather than microseconds
 * @param recordHeaderLength pcap's per-record header: 16, or 24 in the modified format; 0 for pcapng
 */
public record PcapProbe(PcapReader.Format format, ByteOrder order, boolean nanos, int recordHeaderLength) {
    /** Bytes {@link #of} needs. */
    public static final int LENGTH = 4;

    private static final int PCAP_MAGIC_US = 0xa1b2c3d4;
    private static final int PCAP_MAGIC_NS = 0xa1b23c4d;
    private static final int PCAP_MAGIC_MODIFIED = 0xa1b2cd34;
    private static final int NG_SHB = 0x0A0D0D0A;

    /** From the file's first four bytes read big-endian; empty when it is neither pcap nor pcapng. */
    public static Optional<PcapProbe> of(int firstFourBytesBigEndian) {
        if (firstFourBytesBigEndian == NG_SHB) return Optional.of(new PcapProbe(PcapReader.Format.PCAPNG, ByteOrder.BIG_ENDIAN, false, 0));
        Optional<PcapProbe> big = pcap(firstFourBytesBigEndian, ByteOrder.BIG_ENDIAN);
        return big.isPresent() ? big : pcap(Integer.reverseBytes(firstFourBytesBigEndian), ByteOrder.LITTLE_ENDIAN);
    }

    /** From the file's first bytes; empty when there are fewer than {@link #LENGTH} or they are no capture's. */
    public static Optional<PcapProbe> of(byte[] head) {
        if (head.length < LENGTH) return Optional.empty();
        return of(((head[0] & 0xFF) << 24) | ((head[1] & 0xFF) << 16) | ((head[2] & 0xFF) << 8) | (head[3] & 0xFF));
    }

    private static Optional<PcapProbe> pcap(int magic, ByteOrder order) {
        return switch (magic) {
            case PCAP_MAGIC_US -> Optional.of(new PcapProbe(PcapReader.Format.PCAP, order, false, 16));
            case PCAP_MAGIC_NS -> Optional.of(new PcapProbe(PcapReader.Format.PCAP, order, true, 16));
            case PCAP_MAGIC_MODIFIED -> Optional.of(new PcapProbe(PcapReader.Format.PCAP, order, false, 24));
            default -> Optional.empty();
        };
    }

    /** Classic pcap with 16-byte record headers: a file's size is its header's 24 bytes plus its records' sizes. */
    public boolean classic() {
        return format == PcapReader.Format.PCAP && recordHeaderLength == 16;
    }
}
