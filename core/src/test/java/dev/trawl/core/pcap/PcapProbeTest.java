package dev.trawl.core.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PcapProbeTest {

    /** capinfos's name for the file type the probe found. */
    private static String capinfosName(PcapProbe probe) {
        if (probe.format() == PcapReader.Format.PCAPNG) return "pcapng";
        if (probe.recordHeaderLength() == 24) return "modpcap";
        return probe.nanos() ? "nsecpcap" : "pcap";
    }

    @Test
    void agreesWithCapinfosOnTheRealCaptures() throws Exception {
        List<Path> files;
        try (Stream<Path> all = Files.walk(SharedPcaps.dir())) {
            files = all.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(5);
        for (Path file : files) {
            byte[] head = Arrays.copyOf(Files.readAllBytes(file), PcapProbe.LENGTH);
            PcapProbe probe = PcapProbe.of(head).orElseThrow(() -> new AssertionError(file + " not recognised"));
            // capinfos exits non-zero on a cut capture, yet names its type on stdout
            Process capinfos = new ProcessBuilder("capinfos", "-t", "-T", "-r", file.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(capinfos.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            capinfos.waitFor();
            assertThat(capinfosName(probe)).as(file.toString()).isEqualTo(out.substring(out.lastIndexOf('\t') + 1));
            try (PcapReader reader = PcapReader.open(file)) {
                assertThat(reader.format()).isEqualTo(probe.format());
            }
        }
    }

    @Test
    void tellsByteOrderAndResolutionOfWhatTrawlWrites() throws Exception {
        for (boolean nanos : new boolean[] {false, true}) {
            var out = new ByteArrayOutputStream();
            try (var writer = new PcapWriter(out, PcapWriter.LINKTYPE_ETHERNET, nanos)) {
                writer.flush();
            }
            PcapProbe probe = PcapProbe.of(out.toByteArray()).orElseThrow();
            assertThat(probe.classic()).isTrue();
            assertThat(probe.nanos()).isEqualTo(nanos);
            assertThat(probe.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        }
    }

    @Test
    void refusesWhatIsNoCapture() {
        assertThat(PcapProbe.of("GET / HTTP/1.1".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(PcapProbe.of(new byte[] {(byte) 0xa1, (byte) 0xb2})).isEmpty();
        // the modified (Kuznetzov) format is pcap but its records carry 24-byte headers
        assertThat(PcapProbe.of(0xa1b2cd34)).hasValueSatisfying(p -> assertThat(p.classic()).isFalse());
    }
}
