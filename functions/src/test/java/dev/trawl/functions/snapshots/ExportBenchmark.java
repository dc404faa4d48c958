package dev.trawl.functions.snapshots;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotManifest.SnapshotObject;
import dev.trawl.core.snapshot.SnapshotManifest.Window;
import dev.trawl.embedded.EmbeddedS3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The PCAP export against mergecap on the same chunks: 3 nodes × {@value #CHUNKS_PER_NODE}
 * chunks, each a real capture (PcapPlusPlus/example.pcap) re-timed so the nodes interleave.
 * trawl merges streaming from S3 (s3proxy over HTTP); mergecap reads the same files from the
 * page cache. Also exports once in a JVM with a 48 MiB heap, to show memory does not grow with
 * the data. Prints MB/s, packets/s and the ratio. Run:
 * {@code ./mvnw -B -pl functions -am test -Dtest=ExportBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
class ExportBenchmark {
    static final int CHUNKS_PER_NODE = Integer.getInteger("trawl.bench.chunks", 25);
    static final String[] NODES = {"node-a", "node-b", "node-c"};

    /** The unfiltered export of a whole snapshot, as the endpoint plans it. */
    static SnapshotExport.Plan planOf(SnapshotManifest m) {
        return new SnapshotExport.Plan(m, m.objects(), m.window().startNanos(), m.window().endNanos(), SnapshotExport.Format.PCAP,
                m.objects().isEmpty() ? 1 : m.objects().getFirst().linkType(), null, dev.trawl.core.snapshot.WorkloadScope.NONE, -1, "bench");
    }

    /** Writes the chunks to S3 and to {@code dir}, and a completed manifest over them; returns the local files. */
    static List<Path> prepare(S3Client s3, Path dir, String snapshot, int chunksPerNode) throws Exception {
        Path capture = RawChunks.capture("PcapPlusPlus/example.pcap");
        long base = (System.currentTimeMillis() - 86_400_000L) * 1_000_000L;
        List<Path> files = new ArrayList<>();
        List<SnapshotObject> objects = new ArrayList<>();
        for (int n = 0; n < NODES.length; n++) {
            for (int c = 0; c < chunksPerNode; c++) {
                // 16 s per chunk (the capture is 15.6 s long); nodes 3 ms apart, so every node interleaves with every other
                long start = base + c * 16_000_000_000L + n * 3_000_000L;
                var written = RawChunks.write(s3, "trawl", dir.resolve(NODES[n] + "-" + c), NODES[n], capture, 1,
                        RawChunks.startingAt(capture, start)).getFirst();
                ChunkMeta meta = written.meta();
                String copy = S3Layout.snapshotChunkKey(snapshot, S3Layout.parseChunkKey(written.key()).orElseThrow());
                s3.copyObject(b -> b.sourceBucket("trawl").sourceKey(written.key()).destinationBucket("trawl").destinationKey(copy));
                objects.add(new SnapshotObject(NODES[n], copy, written.key(), meta.sha256(), meta.packets(), meta.bytes(), meta.firstNanos(),
                        meta.lastNanos(), meta.linkType(), meta.packets(), meta.bytes() - 24));
                files.add(written.file());
            }
        }
        long startMs = base / 1_000_000L;
        var window = new Window(startMs, startMs + chunksPerNode * 16_000L + 1000);
        var manifest = SnapshotManifest.requested(snapshot, "2026-01-01T00:00:00Z", "bench", window, List.of())
                .withObjects(objects, window, null).completed("2026-01-01T00:00:01Z");
        s3.putObject(b -> b.bucket("trawl").key(S3Layout.snapshotManifestKey(snapshot)), RequestBody.fromBytes(manifest.toJson()));
        return files;
    }

    @Test
    void exportVersusMergecap() throws Exception {
        Path dir = Files.createTempDirectory("export-bench");
        try (EmbeddedS3 s3proxy = EmbeddedS3.startForTest(dir.resolve("s3")); S3Client s3 = s3proxy.client()) {
            List<Path> files = prepare(s3, dir.resolve("chunks"), "bench", CHUNKS_PER_NODE);
            long inputBytes = files.stream().mapToLong(p -> p.toFile().length()).sum();
            var manifest = SnapshotManifest.fromJson(s3.getObjectAsBytes(b -> b.bucket("trawl").key("snapshots/bench/manifest.json")).asByteArray());
            var export = new SnapshotExport(s3, null, "trawl", null, null, Duration.ofHours(1), Duration.ofHours(1), java.time.Clock.systemUTC());

            long[] ours = new long[3];
            long packets = 0;
            long outBytes = 0;
            for (int i = 0; i < ours.length; i++) {
                var out = new ExportMain.CountingOutputStream();
                long s = System.nanoTime();
                packets = export.write(planOf(manifest), out);
                ours[i] = System.nanoTime() - s;
                outBytes = out.count;
            }
            assertThat(packets).isEqualTo(manifest.packetCount());

            // the floor for any export streamed from this S3: reading the same objects and nothing else
            long[] readOnly = new long[3];
            byte[] sink = new byte[1 << 16];
            for (int i = 0; i < readOnly.length; i++) {
                long s = System.nanoTime();
                for (SnapshotObject o : manifest.objects()) {
                    try (var in = s3.getObject(b -> b.bucket("trawl").key(o.key()))) {
                        while (in.read(sink) >= 0) {
                            // drained
                        }
                    }
                }
                readOnly[i] = System.nanoTime() - s;
            }

            long[] theirs = new long[3];
            for (int i = 0; i < theirs.length; i++) {
                // to standard output, thrown away: trawl's export above is counted and dropped too,
                // so neither side pays for writing a file
                List<String> command = new ArrayList<>(List.of("mergecap", "-F", "pcap", "-w", "-"));
                files.forEach(f -> command.add(f.toString()));
                long s = System.nanoTime();
                Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                assertThat(p.waitFor()).isZero();
                theirs[i] = System.nanoTime() - s;
            }
            Arrays.sort(ours);
            Arrays.sort(theirs);
            Arrays.sort(readOnly);
            double oursS = ours[1] / 1e9;
            double theirsS = theirs[1] / 1e9;
            System.out.printf("input: %d chunks, %.1f MB, %d packets, 3 nodes%n", files.size(), inputBytes / 1e6, packets);
            System.out.printf("trawl export (k-way merge streamed from S3): %.2f s, %.0f MB/s, %.2f M packets/s (output %.1f MB)%n", oursS,
                    inputBytes / 1e6 / oursS, packets / 1e6 / oursS, outBytes / 1e6);
            System.out.printf("reading the same objects from S3 alone (no merge):  %.2f s, %.0f MB/s%n", readOnly[1] / 1e9,
                    inputBytes / 1e6 / (readOnly[1] / 1e9));
            System.out.printf("mergecap -F pcap (same chunks, local files, output discarded):  %.2f s, %.0f MB/s%n", theirsS,
                    inputBytes / 1e6 / theirsS);
            System.out.printf("ratio trawl/mergecap speed: %.2f (above 1: trawl faster)%n", theirsS / oursS);

            // bounded memory: the same export in a JVM whose whole heap is smaller than a tenth of the data
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            var settings = s3proxy.settings();
            Process child = new ProcessBuilder(java, "-Xmx48m", "-cp", System.getProperty("java.class.path"), ExportMain.class.getName(),
                    settings.endpoint().toString(), settings.bucket(), settings.accessKeyId(), settings.secretAccessKey(), "bench")
                    .redirectErrorStream(true).start();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor()).as(out).isZero();
            assertThat(out).contains("packets=" + packets);
            System.out.printf("in a 48 MiB heap: %s%n", out.lines().filter(l -> l.startsWith("packets=")).findFirst().orElse(out));
        }
    }
}
