package dev.trawl.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.capture.chunk.PcapChunkFile;
import dev.trawl.capture.replay.ReplayCapture;
import dev.trawl.capture.replay.ReplayCapture.Pace;
import dev.trawl.capture.spool.Spool;
import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.embedded.EmbeddedS3;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** Nothing closed is lost and nothing is stored twice: crashes, SIGKILL, a full spool. */
class SpoolRecoveryTest {
    @TempDir Path tmp;
    EmbeddedS3 s3proxy;
    S3Client s3;
    Path demo;

    @BeforeEach
    void start() throws Exception {
        s3proxy = EmbeddedS3.startForTest(tmp.resolve("s3"));
        s3 = s3proxy.client();
        demo = CaptureLauncher.demoCapture(tmp.resolve("demo"));
    }

    @AfterEach
    void stop() throws Exception {
        s3.close();
        s3proxy.close();
    }

    private CaptureDaemon.Builder daemon(String node, Path spool) {
        return CaptureDaemon.builder().node(node).s3(s3, "trawl").spoolDir(spool)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200)).drainTimeout(Duration.ofSeconds(20));
    }

    /** A tiny capture (the demo's first 10 packets) for daemons that only need to start. */
    private Path tenPackets() throws Exception {
        Path out = tmp.resolve("ten.pcap");
        Process p = new ProcessBuilder("editcap", "-F", "pcap", "-r", demo.toString(), out.toString(), "1-10").inheritIO().start();
        assertThat(p.waitFor()).isZero();
        return out;
    }

    @Test
    void crashBetweenSpoolAndUploadAndATornPartFileAreBothRecoveredUnderTheirOwnKeys() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        Spool spool = new Spool(spoolDir, "node-c", 1L << 30);
        // a chunk closed into the spool, then the process died before uploading it
        Path part = spool.newPart("old-session", 1);
        Files.copy(demo, part);
        ChunkMeta closed = spool.close(part, new Spool.ChunkInfo("old-session", ChunkMeta.LIVE, List.of("any"), 0, Map.of())).orElseThrow();
        // and the chunk being written when it died: cut in the middle of a record
        Path torn = spool.newPart("old-session", 2);
        byte[] bytes = Files.readAllBytes(tenPackets());
        Files.write(torn, java.util.Arrays.copyOf(bytes, bytes.length - 7));
        // an upload that S3 confirmed but whose spool copy survived: its re-upload must overwrite, not duplicate
        s3.putObject(b -> b.bucket("trawl").key(closed.key()), software.amazon.awssdk.core.sync.RequestBody.fromFile(spoolDir.resolve("node-c").resolve(closed.key().substring(closed.key().lastIndexOf('/') + 1))));

        // the spooled chunks keep the demo's own (old) packet times: retention would rightly delete them once uploaded
        try (CaptureDaemon d = daemon("node-c", spoolDir).retention(null).source(new ReplayCapture(List.of(tenPackets()), Pace.FAST, false)).build()) {
            d.start();
            assertThat(d.awaitIdle(Duration.ofSeconds(30))).isTrue();
        }
        List<Chunks.Stored> stored = Chunks.download(s3, "trawl", "node-c", tmp.resolve("down"));
        assertThat(stored).extracting(Chunks.Stored::key).contains(closed.key()).doesNotHaveDuplicates();
        Chunks.Stored recoveredTorn = stored.stream().filter(c -> c.meta().sessionId().equals("old-session") && !c.key().equals(closed.key())).findFirst().orElseThrow();
        assertThat(recoveredTorn.meta().packets()).isEqualTo(9); // the torn 10th packet is cut, the 9 before it kept
        assertThat(Chunks.capinfosPackets(recoveredTorn.file())).isEqualTo(9);
        assertThat(stored.stream().filter(c -> c.key().equals(closed.key())).findFirst().orElseThrow().meta().sha256()).isEqualTo(closed.sha256());
        assertThat(spool.pending()).isEmpty();
    }

    @Test
    void captureModeOffCapturesNothingButUploadsWhatEveryNodesSpoolHolds() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        // chunks left by an earlier run, of this node and of another the stack replayed
        var left = new ArrayList<ChunkMeta>();
        for (String node : List.of("node-here", "node-replayed")) {
            Spool spool = new Spool(spoolDir, node, 1L << 30);
            Path part = spool.newPart("old-session", 1);
            Files.copy(demo, part);
            left.add(spool.close(part, new Spool.ChunkInfo("old-session", ChunkMeta.LIVE, List.of("any"), 0, Map.of())).orElseThrow());
        }
        var env = new java.util.HashMap<>(s3proxy.settings().toEnv());
        env.putAll(Map.of("TRAWL_NODE", "node-here", "TRAWL_CAPTURE_MODE", "off", "TRAWL_CAPTURE_SPOOL_DIR", spoolDir.toString(),
                "TRAWL_RAW_RETENTION", "400000h")); // the demo's old packet times must outlive the check
        var launched = CaptureLauncher.launch(env::get, new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        try {
            assertThat(launched.mode()).isEqualTo("off");
            assertThat(launched.daemons()).extracting(CaptureDaemon::node).containsExactly("node-here", "node-replayed");
            for (CaptureDaemon d : launched.daemons()) assertThat(d.awaitIdle(Duration.ofSeconds(60))).isTrue();
        } finally {
            for (CaptureDaemon d : launched.daemons()) d.close();
        }
        for (ChunkMeta meta : left) {
            List<Chunks.Stored> stored = Chunks.download(s3, "trawl", meta.node(), tmp.resolve("down-" + meta.node()));
            // nothing captured: exactly the spooled chunk, whole
            assertThat(stored).extracting(Chunks.Stored::key).containsExactly(meta.key());
            assertThat(stored.getFirst().meta().sha256()).isEqualTo(meta.sha256());
        }
    }

    @Test
    void sigkillDuringCaptureAndUploadLosesNoClosedChunkAndStoresNoneTwice() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CaptureMain.class.getName());
        pb.environment().putAll(s3proxy.settings().toEnv());
        pb.environment().putAll(Map.of(
                "TRAWL_NODE", "node-k",
                "TRAWL_CAPTURE_MODE", "replay",
                "TRAWL_CAPTURE_REPLAY_FILES", demo.toString(),
                "TRAWL_CAPTURE_REPLAY_PACE", "fast",
                "TRAWL_CAPTURE_ROTATE_BYTES", "20000",
                "TRAWL_CAPTURE_SPOOL_DIR", spoolDir.toString(),
                "TRAWL_CAPTURE_METRICS_PORT", "0"));
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("daemon.log").toFile());
        Process daemon = pb.start();
        // wait until it has uploaded something, then kill it without warning
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (s3.listObjectsV2(b -> b.bucket("trawl").prefix("raw/node-k/")).keyCount() < 10 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        daemon.destroyForcibly(); // SIGKILL
        assertThat(daemon.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(daemon.exitValue()).isEqualTo(137);

        Spool leftBehind = new Spool(spoolDir, "node-k", 1L << 40);
        List<Path> parts;
        try (var files = Files.list(spoolDir.resolve("node-k"))) {
            parts = files.toList();
        }
        assertThat(parts).as("the kill leaves the open chunk (and maybe closed ones) in the spool").isNotEmpty();

        String restartSession;
        try (CaptureDaemon d = daemon("node-k", spoolDir).source(new ReplayCapture(List.of(tenPackets()), Pace.FAST, false)).build()) {
            d.start();
            restartSession = d.sessionId();
            assertThat(d.awaitIdle(Duration.ofSeconds(60))).isTrue();
        }
        assertThat(leftBehind.pending()).isEmpty();
        // what the killed process captured (a fast replay runs ahead of the clock, so the restart's own chunks are left out)
        List<Chunks.Stored> stored = Chunks.download(s3, "trawl", "node-k", tmp.resolve("down")).stream()
                .filter(c -> !c.meta().sessionId().equals(restartSession)).toList();
        assertThat(stored.size()).isGreaterThanOrEqualTo(5);
        // one ordered source: a packet stored twice under another key would show as overlapping ranges
        long previousEnd = Long.MIN_VALUE;
        List<String> problems = new ArrayList<>();
        for (Chunks.Stored c : stored) {
            if (c.meta().firstNanos() <= previousEnd) problems.add(c.key() + " overlaps its predecessor");
            previousEnd = c.meta().lastNanos();
            String sha = HexFormat.of().formatHex(PcapChunkFile.sha256().digest(Files.readAllBytes(c.file())));
            if (!sha.equals(c.meta().sha256())) problems.add(c.key() + " sha256 differs from its meta");
            if (Chunks.capinfosPackets(c.file()) != c.meta().packets()) problems.add(c.key() + " packet count differs from its meta");
        }
        assertThat(problems).isEmpty();
    }

    /** libpcap on {@code any} delivers per CPU, a few microseconds out of order: the closed chunk is in time order, nothing lost. */
    @Test
    void aPartFileOutOfTimeOrderClosesAsATimeOrderedChunkWithEveryPacket() throws Exception {
        Spool spool = new Spool(tmp.resolve("spool"), "node-o", 1L << 30);
        Path part = spool.newPart("s", 1);
        long t = 1_700_000_000_000_000_000L;
        try (var w = new dev.trawl.core.pcap.PcapWriter(Files.newOutputStream(part), dev.trawl.core.pcap.PcapWriter.LINKTYPE_RAW, true)) {
            long[] times = {t + 5_000, t + 1_000, t + 3_000, t + 3_000, t + 2_000, t + 9_000};
            for (int i = 0; i < times.length; i++) w.write(times[i], new byte[] {(byte) i, 0x45, 0, 0});
        }
        ChunkMeta meta = spool.close(part, new Spool.ChunkInfo("s", ChunkMeta.LIVE, List.of("any"), 0, Map.of())).orElseThrow();
        Path chunk = spool.pending().getFirst().pcap();
        assertThat(PcapChunkFile.scan(chunk).ordered()).isTrue();
        assertThat(meta.packets()).isEqualTo(6);
        assertThat(meta.firstNanos()).isEqualTo(t + 1_000);
        assertThat(meta.lastNanos()).isEqualTo(t + 9_000);
        assertThat(HexFormat.of().formatHex(PcapChunkFile.sha256().digest(Files.readAllBytes(chunk)))).isEqualTo(meta.sha256());
        List<Integer> firstBytes = new ArrayList<>();
        try (var r = dev.trawl.core.pcap.PcapReader.open(chunk)) {
            while (r.next()) firstBytes.add((int) r.data().get(r.data().position()));
        }
        assertThat(firstBytes).containsExactly(1, 4, 2, 3, 0, 5); // by time; the two at t+3000 keep their order
        Process capinfos = new ProcessBuilder("capinfos", "-o", chunk.toString()).redirectErrorStream(true).start();
        assertThat(new String(capinfos.getInputStream().readAllBytes())).containsPattern("Strict time order:\\s+True");
    }

    /**
     * A kill while a closing chunk is rewritten leaves the rewrite's temporary beside the intact
     * part: the time sort's ({@code .sorting}) or the own-traffic refilter's ({@code .filtering}).
     * Recovery closes the part and removes the temporaries, so they neither stay on the disk for
     * good nor count against the cap (where they would push real chunks out).
     */
    @Test
    void temporariesOfARewriteCutShortByAKillAreRemovedOnRecovery() throws Exception {
        Spool spool = new Spool(tmp.resolve("spool"), "node-t", 1L << 30);
        Path part = spool.newPart("killed", 1);
        Files.copy(tenPackets(), part);
        byte[] halfWritten = java.util.Arrays.copyOf(Files.readAllBytes(part), 100);
        Files.write(part.resolveSibling(part.getFileName() + ".sorting"), halfWritten);
        Files.write(part.resolveSibling(part.getFileName() + ".filtering"), halfWritten);

        assertThat(spool.recover(ChunkMeta.LIVE, List.of("any"))).isEqualTo(1);

        Spool.Pending chunk = spool.pending().getFirst();
        try (var files = Files.list(spool.dir())) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder(chunk.pcap().getFileName().toString(), chunk.meta().getFileName().toString());
        }
        assertThat(spool.bytes()).isEqualTo(Files.size(chunk.pcap()) + Files.size(chunk.meta()));
        assertThat(ChunkMeta.fromJson(Files.readAllBytes(chunk.meta())).packets()).isEqualTo(10);
    }

    /**
     * A chunk S3 has confirmed stays in the spool while its event is sent (retried while the sink
     * refuses it). A full spool meanwhile must not give it up as a drop: it reached S3. Every
     * closed chunk is either in S3 or counted as dropped, never both.
     */
    @Test
    void aChunkInS3WhoseEventIsStillRetriedIsNotCountedAsDropped() throws Exception {
        var registry = new SimpleMeterRegistry();
        var refusingSink = new dev.trawl.core.events.EventSender(java.net.URI.create("http://127.0.0.1:9/"), "node-capture-daemon");
        CaptureDaemon d = daemon("node-e", tmp.resolve("spool")).retention(null)
                .source(new ReplayCapture(List.of(demo), Pace.REALTIME, false)) // chunks close while events are retried
                .rotation(new Rotation(12 << 10, Duration.ofDays(1))).spoolCapBytes(20 << 10)
                .events(refusingSink).eventAttempts(5).backoff(Duration.ofMillis(200), Duration.ofSeconds(2))
                .meterRegistry(registry).build();
        try (d) {
            d.start();
            Thread.sleep(12_000);
        }
        long closed = (long) registry.get("trawl.capture.chunks").tag("state", "closed").counter().count();
        List<String> inS3 = Chunks.download(s3, "trawl", "node-e", tmp.resolve("down")).stream().map(Chunks.Stored::key).toList();
        List<String> spooled = d.spool().pending().stream().map(Spool.Pending::key).toList();
        assertThat(closed).isGreaterThan(3);
        assertThat(inS3.size() + spooled.size() + d.spool().droppedChunks())
                .as("%d closed, %d in S3, %d still spooled, %d counted as dropped", closed, inS3.size(), spooled.size(), d.spool().droppedChunks())
                .isEqualTo(closed);
    }

    @Test
    void fullSpoolDropsOldestChunksFirstCountsThemAndUploadsTheRestLater() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        var registry = new SimpleMeterRegistry();
        long cap = 256 << 10;
        List<String> keptBeforeRestart;
        // S3 unreachable: nothing listens on this address
        try (S3Client down = dev.trawl.core.s3.S3Settings.embedded(java.net.URI.create("http://127.0.0.1:9"), "trawl", "x", "y").client();
                CaptureDaemon d = CaptureDaemon.builder().node("node-f").s3(down, "trawl").spoolDir(spoolDir)
                        .source(new ReplayCapture(List.of(demo, demo, demo, demo, demo, demo), Pace.FAST, false))
                        .rotation(new Rotation(32 << 10, Duration.ofDays(1))).spoolCapBytes(cap)
                        .backoff(Duration.ofMillis(50), Duration.ofMillis(100)).drainTimeout(Duration.ofMillis(200))
                        .meterRegistry(registry).build()) {
            d.start();
            Thread.sleep(3000);
            assertThat(d.spool().droppedChunks()).isPositive();
            assertThat(d.spool().droppedPackets()).isPositive();
            assertThat(d.spool().bytes()).isLessThanOrEqualTo(cap);
            assertThat(registry.get("trawl.capture.spool.dropped.chunks").gauge().value()).isEqualTo(d.spool().droppedChunks());
            assertThat(d.heartbeat(true).spoolDrops()).isEqualTo(d.spool().droppedChunks());
            keptBeforeRestart = d.spool().pending().stream().map(Spool.Pending::key).toList();
            // the newest chunks survive: everything kept is later than everything dropped
            assertThat(keptBeforeRestart).isNotEmpty().isSorted();
        }
        try (CaptureDaemon d = daemon("node-f", spoolDir).source(new ReplayCapture(List.of(tenPackets()), Pace.FAST, false)).build()) {
            d.start();
            assertThat(d.awaitIdle(Duration.ofSeconds(30))).isTrue();
        }
        List<String> inS3 = Chunks.download(s3, "trawl", "node-f", tmp.resolve("down")).stream().map(Chunks.Stored::key).toList();
        assertThat(inS3).containsAll(keptBeforeRestart);
    }

}
