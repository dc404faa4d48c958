package dev.trawl.capture.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trawl.capture.CaptureLauncher;
import dev.trawl.capture.chunk.PcapChunkFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A closed chunk that an own connection reached before the kernel filter knew it: filtered again, nothing else lost. */
class ChunkRefilterTest {
    @TempDir Path tmp;

    @Test
    void removesExactlyThePacketsOfTheOwnEndpointsAndKeepsTheRest() throws Exception {
        assumeTrue(new ProcessBuilder("sh", "-c", "command -v tcpdump").start().waitFor() == 0, "tcpdump not installed");
        Path part = tmp.resolve("s-000000001.pcap.part");
        Files.move(CaptureLauncher.demoCapture(tmp.resolve("demo")), part);
        String own = "(host 127.0.0.1 and tcp port 6379)"; // the demo's Redis connections stand for the daemon's own
        long before = count(part, "");
        long ownBefore = count(part, own);
        assertThat(ownBefore).isPositive();

        LiveCapture.withoutOwnTraffic(part, own);

        assertThat(count(part, own)).isZero();
        assertThat(count(part, "")).isEqualTo(before - ownBefore);
        assertThat(PcapChunkFile.scan(part).packets()).isEqualTo(before - ownBefore);
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("s-000000001.pcap.part", "demo");
        }
    }

    private static long count(Path file, String filter) throws Exception {
        Process p = new ProcessBuilder("tcpdump", "-nn", "-q", "-r", file.toString(), filter).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long lines = new String(p.getInputStream().readAllBytes()).lines().count();
        assertThat(p.waitFor()).isZero();
        return lines;
    }
}
