package dev.trawl.core.pcap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PcapReaderTest {

    @TempDir
    Path tmp;

    record Read(long packets, long damage, long bytes, long firstTs, List<Integer> linkTypes) {}

    static Read readAll(PcapReader r) throws IOException {
        long n = 0, damage = 0, bytes = 0, first = -1;
        List<Integer> links = new ArrayList<>();
        for (int guard = 0; guard < 10_000_000; guard++) {
            try {
                if (!r.next()) break;
                n++;
                if (first < 0) first = r.timestampNanos();
                ByteBuffer d = r.data();
                assertThat(d.remaining()).isEqualTo(r.capturedLength());
                bytes += d.remaining();
                if (!links.contains(r.linkType())) links.add(r.linkType());
            } catch (PcapFormatException e) {
                damage++;
                assertThat(e.offset()).isGreaterThanOrEqualTo(0);
            }
        }
        return new Read(n, damage, bytes, first, links);
    }

    @Test
    void everySharedCaptureReadsToTsharksPacketCountMappedAndStreamed() throws IOException {
        List<String> failures = new ArrayList<>();
        int files = 0;
        for (SharedPcaps.Entry e : SharedPcaps.manifest()) {
            files++;
            Read mapped;
            try (PcapReader r = PcapReader.open(e.path())) {
                mapped = readAll(r);
            }
            Read streamed;
            try (PcapReader r = PcapReader.open(Files.newInputStream(e.path()), e.file())) {
                streamed = readAll(r);
            }
            if (mapped.packets() != e.packets()) failures.add(e.file() + ": mapped " + mapped + " manifest " + e.packets());
            if (!streamed.equals(mapped)) failures.add(e.file() + ": streamed " + streamed + " != mapped " + mapped);
        }
        assertThat(files).isGreaterThan(100);
        assertThat(failures).isEmpty();
    }

    @Test
    void pcapngWithTwoInterfacesKeepsEachLinkType() throws IOException {
        Path f = SharedPcaps.dir().resolve("PcapPlusPlus/pcapng-example.pcapng");
        try (PcapReader r = PcapReader.open(f)) {
            Read read = readAll(r);
            assertThat(read.packets()).isEqualTo(159);
            assertThat(read.linkTypes()).containsExactlyInAnyOrder(1, 113);
            assertThat(r.format()).isEqualTo(PcapReader.Format.PCAPNG);
        }
    }

    @Test
    void bigEndianPcapTimestampsAndLengths() throws IOException {
        Path f = SharedPcaps.dir().resolve("arkime/bigendian.pcap");
        try (PcapReader r = PcapReader.open(f)) {
            assertThat(r.next()).isTrue();
            assertThat(r.linkType()).isEqualTo(1);
            assertThat(r.capturedLength()).isBetween(42, 2000);
            assertThat(r.timestampNanos()).isGreaterThan(1_000_000_000L * 1_000_000_000L); // after 2001
            assertThat(r.timestampNanos() % 1000).isZero(); // µs file
            // Ethernet type IPv4 at bytes 12-13, read big-endian whatever the file's order
            assertThat(r.data().getShort(r.data().position() + 12)).isEqualTo((short) 0x0800);
        }
    }

    @Test
    void writerRoundTripsMicroAndNanoTimestamps() throws IOException {
        for (boolean nanos : new boolean[] {false, true}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long ts = 1_700_000_000_123_456_789L;
            try (PcapWriter w = new PcapWriter(out, PcapWriter.LINKTYPE_RAW, nanos)) {
                for (int i = 0; i < 1000; i++) w.write(ts + i, packet(i));
            }
            try (PcapReader r = PcapReader.open(new ByteArrayInputStream(out.toByteArray()), "mem")) {
                for (int i = 0; i < 1000; i++) {
                    assertThat(r.next()).isTrue();
                    assertThat(r.linkType()).isEqualTo(101);
                    assertThat(r.timestampNanos()).isEqualTo(nanos ? ts + i : (ts + i) / 1000 * 1000);
                    assertThat(r.copyData()).isEqualTo(packet(i));
                    assertThat(r.originalLength()).isEqualTo(packet(i).length);
                }
                assertThat(r.next()).isFalse();
            }
        }
    }

    @Test
    void streamWithTinyReadsAndLargeRecordsStaysCorrect() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] big = new byte[3 << 20];
        Arrays.fill(big, (byte) 7);
        try (PcapWriter w = new PcapWriter(out, 1, false, 8 << 20)) {
            w.write(1_000, packet(1));
            w.write(2_000, big);
            w.write(3_000, packet(2));
        }
        InputStream trickle = new ByteArrayInputStream(out.toByteArray()) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 3));
            }
        };
        try (PcapReader r = PcapReader.open(trickle, "trickle")) {
            Read read = readAll(r);
            assertThat(read.packets()).isEqualTo(3);
            assertThat(read.bytes()).isEqualTo(big.length + packet(1).length + packet(2).length);
        }
    }

    @Test
    void truncatedRecordIsReportedWithItsOffsetAndEndsTheFile() throws IOException {
        byte[] file = written(10);
        byte[] cut = Arrays.copyOf(file, file.length - 5);
        Path p = tmp.resolve("cut.pcap");
        Files.write(p, cut);
        try (PcapReader r = PcapReader.open(p)) {
            for (int i = 0; i < 9; i++) assertThat(r.next()).isTrue();
            long lastRecordAt = r.position();
            assertThatThrownBy(r::next).isInstanceOfSatisfying(PcapFormatException.class, e -> {
                assertThat(e.kind()).isEqualTo(PcapFormatException.Kind.TRUNCATED);
                assertThat(e.offset()).isEqualTo(lastRecordAt);
            });
            assertThat(r.next()).isFalse();
            assertThat(r.damageCount()).isEqualTo(1);
        }
    }

    @Test
    void absurdLengthIsSkippedAndReadingResumesAtTheNextRecord() throws IOException {
        byte[] file = written(10);
        // record 3's captured length: header 24, each record 16 + len(packet(i))
        int at = 24;
        for (int i = 0; i < 3; i++) at += 16 + packet(i).length;
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(at + 8, 0x7fff0000);
        try (PcapReader r = PcapReader.open(new ByteArrayInputStream(file), "absurd")) {
            List<Long> ts = new ArrayList<>();
            List<PcapFormatException> errors = new ArrayList<>();
            while (true) {
                try {
                    if (!r.next()) break;
                    ts.add(r.timestampNanos());
                } catch (PcapFormatException e) {
                    errors.add(e);
                }
            }
            assertThat(errors).hasSize(1);
            assertThat(errors.getFirst().kind()).isEqualTo(PcapFormatException.Kind.ABSURD_LENGTH);
            assertThat(errors.getFirst().offset()).isEqualTo(at);
            assertThat(ts).hasSize(9).doesNotContain(1_000_000_003_000L);
        }
    }

    @Test
    void badMagicIsAClearError() throws IOException {
        Path p = tmp.resolve("not.pcap");
        Files.writeString(p, "hello, this is not a capture file");
        assertThatThrownBy(() -> PcapReader.open(p)).isInstanceOfSatisfying(PcapFormatException.class,
                e -> assertThat(e.kind()).isEqualTo(PcapFormatException.Kind.BAD_MAGIC));
        Path empty = tmp.resolve("empty.pcap");
        Files.write(empty, new byte[0]);
        assertThatThrownBy(() -> PcapReader.open(empty)).isInstanceOf(PcapFormatException.class);
    }

    @Test
    void pcapngTimestampResolutionsPerInterface() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.BIG_ENDIAN);
        // SHB
        b.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
        // IDB 0: Ethernet, default µs
        b.putInt(1).putInt(20).putShort((short) 1).putShort((short) 0).putInt(0).putInt(20);
        // IDB 1: raw, if_tsresol = 9 (ns)
        b.putInt(1).putInt(28).putShort((short) 101).putShort((short) 0).putInt(0)
                .putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]).putInt(28);
        // IDB 2: raw, if_tsresol = 2^-10
        b.putInt(1).putInt(28).putShort((short) 101).putShort((short) 0).putInt(0)
                .putShort((short) 9).putShort((short) 1).put((byte) 0x8A).put(new byte[3]).putInt(28);
        // an unknown block to skip
        b.putInt(0x0BAD).putInt(16).putInt(0xdeadbeef).putInt(16);
        epb(b, 0, 1_500_000L, new byte[] {1, 2, 3});
        epb(b, 1, 1_500_000_123L, new byte[] {4, 5, 6, 7, 8});
        epb(b, 2, 3L * 1024 + 512, new byte[] {9});
        byte[] bytes = Arrays.copyOf(b.array(), b.position());
        try (PcapReader r = PcapReader.open(new ByteArrayInputStream(bytes), "ng")) {
            assertThat(r.next()).isTrue();
            assertThat(r.interfaceId()).isZero();
            assertThat(r.linkType()).isEqualTo(1);
            assertThat(r.timestampNanos()).isEqualTo(1_500_000_000L);
            assertThat(r.copyData()).containsExactly(1, 2, 3);
            assertThat(r.next()).isTrue();
            assertThat(r.linkType()).isEqualTo(101);
            assertThat(r.timestampNanos()).isEqualTo(1_500_000_123L);
            assertThat(r.capturedLength()).isEqualTo(5);
            assertThat(r.next()).isTrue();
            assertThat(r.interfaceId()).isEqualTo(2);
            assertThat(r.timestampNanos()).isEqualTo(3_500_000_000L);
            assertThat(r.next()).isFalse();
        }
    }

    private static void epb(ByteBuffer b, int iface, long ts, byte[] data) {
        int padded = (data.length + 3) & ~3;
        int len = 32 + padded;
        b.putInt(6).putInt(len).putInt(iface).putInt((int) (ts >>> 32)).putInt((int) ts).putInt(data.length).putInt(data.length);
        b.put(data).put(new byte[padded - data.length]).putInt(len);
    }

    private static byte[] packet(int i) {
        byte[] p = new byte[20 + i % 50];
        for (int k = 0; k < p.length; k++) p[k] = (byte) (i + k);
        return p;
    }

    private static byte[] written(int n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(out, 1, false)) {
            for (int i = 0; i < n; i++) w.write(1_000_000_000_000L + i * 1000L, packet(i));
        }
        return out.toByteArray();
    }
}
