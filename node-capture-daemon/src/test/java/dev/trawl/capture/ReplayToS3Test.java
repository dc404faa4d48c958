package dev.trawl.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trawl.capture.chunk.PcapChunkFile;
import dev.trawl.capture.replay.ReplayCapture;
import dev.trawl.capture.replay.ReplayCapture.Pace;
import dev.trawl.capture.workload.WorkloadTable;
import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.chunk.Heartbeat;
import dev.trawl.core.chunk.Workload;
import dev.trawl.core.events.EventSender;
import dev.trawl.core.events.TrawlEvents;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.embedded.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** Replay into a real S3 (s3proxy): chunks, metas, events and heartbeat as a live capture makes them. */
class ReplayToS3Test {
    @TempDir Path tmp;
    EmbeddedS3 s3proxy;
    S3Client s3;
    EventSink sink;

    @BeforeEach
    void start() throws Exception {
        s3proxy = EmbeddedS3.startForTest(tmp.resolve("s3"));
        s3 = s3proxy.client();
        sink = new EventSink();
    }

    @AfterEach
    void stop() throws Exception {
        sink.close();
        s3.close();
        s3proxy.close();
    }

    /** With several sources (interfaces) each closes its own chunks: a chunk's meta names its own source, not all of them. */
    @Test
    void eachChunksMetaNamesTheInterfaceItWasCapturedOn() throws Exception {
        Path demo = CaptureLauncher.demoCapture(tmp.resolve("demo"));
        Path eth = Files.copy(demo, tmp.resolve("eth0.pcap")), lo = tmp.resolve("lo.pcap");
        // none of eth0's first packets: both replays move their first packet to the same now, and
        // the same packets at the same times would close chunks with one key and the same bytes
        Process cut = new ProcessBuilder("editcap", "-F", "pcap", "-r", demo.toString(), lo.toString(), "1001-" + Chunks.capinfosPackets(demo)).inheritIO().start();
        assertThat(cut.waitFor()).isZero();
        try (CaptureDaemon daemon = CaptureDaemon.builder().node("node-i").s3(s3, "trawl").spoolDir(tmp.resolve("spool"))
                .source(new ReplayCapture(List.of(eth), Pace.FAST, false))
                .source(new ReplayCapture(List.of(lo), Pace.FAST, false))
                .rotation(new Rotation(64 << 10, Duration.ofDays(1))).retention(null).build()) {
            daemon.start();
            assertThat(daemon.awaitIdle(Duration.ofSeconds(60))).isTrue();
            assertThat(daemon.heartbeat(true).interfaces()).containsExactly("eth0.pcap", "lo.pcap");
        }
        List<Chunks.Stored> chunks = Chunks.download(s3, "trawl", "node-i", tmp.resolve("down"));
        for (Path file : List.of(eth, lo)) {
            String name = file.getFileName().toString();
            List<Chunks.Stored> own = chunks.stream().filter(c -> c.meta().interfaces().equals(List.of(name))).toList();
            assertThat(own.stream().mapToLong(c -> c.meta().packets()).sum()).as("packets of chunks whose meta names only %s", name)
                    .isEqualTo(PcapChunkFile.scan(file).packets());
        }
        assertThat(chunks).allSatisfy(c -> assertThat(c.meta().interfaces()).hasSize(1));
    }

    @Test
    void demoReplayBecomesTimeRotatedChunksWithMetaEventsAndHeartbeat() throws Exception {
        Path demo = CaptureLauncher.demoCapture(tmp.resolve("demo"));
        var demoScan = PcapChunkFile.scan(demo);
        WorkloadTable workloads = new WorkloadTable();
        workloads.put("127.0.0.10", new Workload("shop-7d9f", "demo", "shop", "node-a"));
        long before = System.currentTimeMillis() * 1_000_000L;

        try (CaptureDaemon daemon = CaptureDaemon.builder()
                .node("node-a")
                .source(new ReplayCapture(List.of(demo), Pace.FAST, false))
                .s3(s3, "trawl")
                .events(new EventSender(sink.uri(), "node-capture-daemon"))
                .spoolDir(tmp.resolve("spool"))
                .rotation(new Rotation(64L << 20, Duration.ofSeconds(5)))
                .workloads(workloads)
                .build()) {
            daemon.start();
            assertThat(daemon.awaitIdle(Duration.ofSeconds(60))).isTrue();
        }

        List<Chunks.Stored> chunks = Chunks.download(s3, "trawl", "node-a", tmp.resolve("down"));
        assertThat(chunks).hasSizeBetween(5, 9); // ~36 s of bursts 3 s apart, cut into chunks spanning under 5 s
        long total = 0;
        long previousEnd = Long.MIN_VALUE;
        for (Chunks.Stored c : chunks) {
            ChunkMeta m = c.meta();
            assertThat(Chunks.capinfosPackets(c.file())).as("capinfos on %s", c.key()).isEqualTo(m.packets());
            assertThat(c.scan().packets()).isEqualTo(m.packets());
            assertThat(c.scan().ordered()).isTrue();
            assertThat(m.key()).isEqualTo(c.key()).isEqualTo(S3Layout.chunkKey("node-a", m.firstNanos(), m.lastNanos()));
            assertThat(m.lastNanos() - m.firstNanos()).isLessThan(Duration.ofSeconds(5).toNanos());
            assertThat(m.firstNanos()).isGreaterThan(previousEnd).isGreaterThanOrEqualTo(before); // moved to now, no overlap
            assertThat(m.bytes()).isEqualTo(Files.size(c.file()));
            assertThat(m.sha256()).isEqualTo(HexFormat.of().formatHex(PcapChunkFile.sha256().digest(Files.readAllBytes(c.file()))));
            assertThat(m.linkType()).isEqualTo(demoScan.linkType());
            assertThat(m.mode()).isEqualTo(ChunkMeta.REPLAY);
            assertThat(m.interfaces()).containsExactly("demo.pcap");
            assertThat(m.workloads()).containsEntry("127.0.0.10", new Workload("shop-7d9f", "demo", "shop", "node-a"));
            previousEnd = m.lastNanos();
            total += m.packets();
        }
        assertThat(total).isEqualTo(demoScan.packets());
        // the replay keeps the gaps between packets
        assertThat(chunks.getLast().meta().lastNanos() - chunks.getFirst().meta().firstNanos())
                .isEqualTo(demoScan.maxNanos() - demoScan.minNanos());

        assertThat(sink.events).hasSize(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            var e = sink.events.get(i);
            assertThat(e.type()).isEqualTo(TrawlEvents.PCAP_UPLOADED);
            assertThat(e.source()).isEqualTo("/trawl/node-capture-daemon");
            assertThat(e.subject()).isEqualTo(chunks.get(i).key());
            assertThat(e.data().packets()).isEqualTo(chunks.get(i).meta().packets());
            assertThat(e.data().startNanos()).isEqualTo(chunks.get(i).meta().firstNanos());
        }

        Heartbeat hb = Heartbeat.fromJson(s3.getObjectAsBytes(b -> b.bucket("trawl").key(S3Layout.heartbeatKey("node-a"))).asByteArray());
        assertThat(hb.enabled()).isFalse(); // closed cleanly
        assertThat(hb.packets()).isEqualTo(demoScan.packets());
        assertThat(hb.chunksUploaded()).isEqualTo(chunks.size());
        assertThat(hb.spoolBytes()).isZero();
        assertThat(hb.lastChunkKey()).isEqualTo(chunks.getLast().key());
        try (var files = Files.list(tmp.resolve("spool").resolve("node-a"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void sizeRotationKeepsEveryChunkNearTheCapAndLargeChunksGoUpInParts() throws Exception {
        Path big = Chunks.sharedPcaps().resolve("zeek/echo-connections.pcap");
        assumeTrue(Files.isReadable(big), "shared capture " + big + " not present");
        var source = PcapChunkFile.scan(big);
        try (CaptureDaemon daemon = CaptureDaemon.builder()
                .node("node-b")
                .source(new ReplayCapture(List.of(big), Pace.FAST, false))
                .s3(s3, "trawl")
                .spoolDir(tmp.resolve("spool"))
                .rotation(new Rotation(6L << 20, Duration.ofDays(1)))
                .multipart(5L << 20, 5 << 20)
                .build()) {
            daemon.start();
            assertThat(daemon.awaitIdle(Duration.ofSeconds(120))).isTrue();
        }
        List<Chunks.Stored> chunks = Chunks.download(s3, "trawl", "node-b", tmp.resolve("down"));
        assertThat(chunks.size()).isGreaterThanOrEqualTo(2);
        long total = 0;
        for (Chunks.Stored c : chunks) {
            assertThat(Chunks.capinfosPackets(c.file())).isEqualTo(c.meta().packets());
            assertThat(c.meta().bytes()).isLessThanOrEqualTo((6L << 20) + 65_536 + 16);
            total += c.meta().packets();
        }
        assertThat(total).isEqualTo(source.packets());
        // the first chunk is over the 5 MiB threshold: S3's multipart ETag says it went up in parts
        String etag = s3.headObject(b -> b.bucket("trawl").key(chunks.getFirst().key())).eTag();
        assertThat(etag).contains("-2");
    }
}
