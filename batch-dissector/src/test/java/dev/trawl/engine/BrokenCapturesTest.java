package dev.trawl.engine;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every broken capture in the shared set is read to its end with no crash or hang, and its
 * damage is counted; and every capture, cut at arbitrary points, still reads without either.
 */
class BrokenCapturesTest {

    @Test
    void brokenCapturesAreReadAndTheirDamageCounted() throws Exception {
        var pool = Executors.newSingleThreadExecutor();
        List<String> problems = new ArrayList<>();
        try {
            for (SharedCaptures.Capture c : SharedCaptures.all()) {
                if (!c.broken()) continue;
                Future<DissectionStats> f = pool.submit(() -> DissectionEngine.standard().dissect("n", List.of(PcapSource.file(c.path())), e -> {}));
                DissectionStats s = f.get(60, TimeUnit.SECONDS);
                assertThat(s.packets()).as(c.file()).isEqualTo(c.packets());
                boolean damageExpected = c.protocols().contains("CUT-SHORT") || c.protocols().contains("snaplen-truncated")
                        || c.protocols().contains("bogus") || c.protocols().contains("larger than captured")
                        || c.protocols().contains("heapoverflow");
                if (damageExpected && s.damageTotal() == 0) problems.add(c.file() + ": no damage counted");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void capturesCutAnywhereAreReadFromAStreamWithoutCrashOrHang() throws Exception {
        var pool = Executors.newSingleThreadExecutor();
        try {
            for (String name : List.of("zeek/get.pcap", "PcapPlusPlus/pcapng-example.pcapng", "zeek/tls13-ech.pcap", "nDPI/1kxun.pcap")) {
                byte[] all = Files.readAllBytes(SharedCaptures.path(name));
                for (int cut : new int[] {10, 30, all.length / 3, all.length / 2 + 7, all.length - 3}) {
                    byte[] part = Arrays.copyOf(all, cut);
                    Future<DissectionStats> f = pool.submit(() -> DissectionEngine.standard().dissect("n",
                            List.of(PcapSource.stream(name + "@" + cut, cut, () -> new ByteArrayInputStream(part))), e -> {}));
                    DissectionStats s = f.get(60, TimeUnit.SECONDS);
                    assertThat(s.damageTotal()).as(name + " cut at " + cut).isPositive();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
