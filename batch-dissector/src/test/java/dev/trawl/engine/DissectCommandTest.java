package dev.trawl.engine;

import dev.trawl.engine.cli.DissectCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DissectCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return DissectCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aCaptureGivesOneJsonLinePerEntryAndStatsOnStderr() {
        int status = run(SharedCaptures.path("zeek/get.pcap").toString());
        assertThat(status).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).isNotEmpty().allSatisfy(l -> assertThat(l).startsWith("{").endsWith("}"));
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("\"entries\":" + lines.length);
    }

    @Test
    void aFileThatIsNotACaptureFailsTheRunButTheOthersAreStillDissected(@TempDir Path dir) throws Exception {
        Path notACapture = Files.writeString(dir.resolve("notes.txt"), "these are not packets\n");
        int status = run(notACapture.toString(), SharedCaptures.path("zeek/get.pcap").toString());
        assertThat(status).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("\"protocol\":\"http\"");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("notes.txt").contains("not a pcap or pcapng capture");
    }

    @Test
    void jobsDissectEachFileApartAndPrintInTheOrderGiven() {
        List<String> files = List.of("zeek/get.pcap", "zeek/http-11-request-then-cruft.pcap", "zeek/ipv6-http-atomic-frag.pcap").stream()
                .map(f -> SharedCaptures.path(f).toString()).toList();
        StringBuilder oneByOne = new StringBuilder();
        long entries = 0;
        for (String f : files) {
            out.reset();
            assertThat(run(f)).isZero();
            oneByOne.append(out.toString(StandardCharsets.UTF_8));
            entries += out.toString(StandardCharsets.UTF_8).lines().count();
        }
        out.reset();
        err.reset();
        List<String> args = new java.util.ArrayList<>(List.of("--jobs", "3"));
        args.addAll(files);
        assertThat(run(args.toArray(String[]::new))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(oneByOne.toString()).isNotEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("\"pcap_files\":3", "\"entries\":" + entries);
    }

    @Test
    void aMissingFileAndABadOptionAreTold() {
        assertThat(run("/nonexistent/capture.pcap")).isEqualTo(1);
        assertThat(run("--body-limit", "lots", "x.pcap")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no such file").contains("--body-limit takes a number");
    }
}
