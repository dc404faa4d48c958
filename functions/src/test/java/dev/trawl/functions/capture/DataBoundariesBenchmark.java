package dev.trawl.functions.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.chunk.HeartbeatStore;
import dev.trawl.core.chunk.RawRangeStore;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.embedded.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

/**
 * {@code GET /mcp/data-boundaries} over 10 000 raw chunks (4 nodes, one chunk a minute for
 * about 42 hours each) in a real S3 (s3proxy), against the reference: listing every key, which
 * is what a naive implementation does. The first call finds no index and rebuilds it from
 * listings (in production the index is kept by {@code pcap.uploaded}); the figures are the calls
 * after it. Prints latency figures and the ratio; fails if the median is
 * over 100 ms. Run: {@code ./mvnw -B -pl functions -am test -Dtest=DataBoundariesBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
class DataBoundariesBenchmark {
    static final int NODES = 4;
    static final int CHUNKS_PER_NODE = 2500;

    @Test
    void answersFromAFewListingsInUnder100msWith10000Chunks() throws Exception {
        Path dir = Files.createTempDirectory("boundaries-bench");
        try (EmbeddedS3 s3proxy = EmbeddedS3.startForTest(dir); S3Client s3 = s3proxy.client()) {
            long now = System.currentTimeMillis() * 1_000_000L;
            long minute = 60_000_000_000L;
            long t0 = System.nanoTime();
            try (var pool = Executors.newFixedThreadPool(16)) {
                for (int n = 0; n < NODES; n++) {
                    String node = "worker-" + n;
                    for (int c = 0; c < CHUNKS_PER_NODE; c++) {
                        long start = now - (long) (CHUNKS_PER_NODE - c) * minute + n * 1_000_000L;
                        String key = S3Layout.chunkKey(node, start, start + minute - 1);
                        pool.submit(() -> s3.putObject(b -> b.bucket("trawl").key(key), RequestBody.empty()));
                    }
                }
            }
            for (int n = 0; n < NODES; n++) {
                String node = "worker-" + n;
                var hb = new dev.trawl.core.chunk.Heartbeat(node, true, "s-" + node, "live", 0, System.currentTimeMillis(), 0, 0, 0, 0, 0, 0, 0, 0,
                        java.util.List.of(), null, 0);
                s3.putObject(b -> b.bucket("trawl").key(S3Layout.heartbeatKey(node)), RequestBody.fromBytes(hb.toJson()));
            }
            System.out.printf("setup: %d chunks written in %.1f s%n", NODES * CHUNKS_PER_NODE, (System.nanoTime() - t0) / 1e9);

            var chunks = new ChunkIndex(s3, "trawl");
            var status = new CaptureStatus(chunks, new HeartbeatStore(s3, "trawl"), new RawRangeStore(s3, "trawl"), Clock.systemUTC(), Duration.ofMinutes(1), Duration.ofDays(7));
            long cold = System.nanoTime();
            Map<String, Object> answer = status.dataBoundaries();
            System.out.printf("first call, no index yet (rebuilt from listings): %.0f ms%n", (System.nanoTime() - cold) / 1e6);
            for (int i = 0; i < 10; i++) answer = status.dataBoundaries();
            long[] ours = new long[50];
            for (int i = 0; i < ours.length; i++) {
                long s = System.nanoTime();
                answer = status.dataBoundaries();
                ours[i] = System.nanoTime() - s;
            }
            @SuppressWarnings("unchecked")
            var nodes = (java.util.List<Map<String, Object>>) answer.get("nodes");
            assertThat(nodes).hasSize(NODES);
            long oldest = (now - (long) CHUNKS_PER_NODE * minute) / 1_000_000L;
            assertThat(nodes).anySatisfy(n -> assertThat(n.get("oldest_ts")).isEqualTo(oldest));

            long[] naive = new long[5];
            for (int i = 0; i < naive.length; i++) {
                long s = System.nanoTime();
                long keys = 0;
                String token = null;
                do {
                    var page = s3.listObjectsV2(ListObjectsV2Request.builder().bucket("trawl").prefix("raw/").continuationToken(token).build());
                    keys += page.keyCount();
                    token = page.isTruncated() ? page.nextContinuationToken() : null;
                } while (token != null);
                naive[i] = System.nanoTime() - s;
                assertThat(keys).isEqualTo((long) NODES * CHUNKS_PER_NODE);
            }
            Arrays.sort(ours);
            Arrays.sort(naive);
            double p50 = ours[ours.length / 2] / 1e6;
            double p95 = ours[(int) (ours.length * 0.95)] / 1e6;
            double naiveP50 = naive[naive.length / 2] / 1e6;
            System.out.printf("data-boundaries over %d chunks: p50 %.1f ms, p95 %.1f ms, max %.1f ms%n", NODES * CHUNKS_PER_NODE, p50, p95,
                    ours[ours.length - 1] / 1e6);
            System.out.printf("reference (list every raw/ key): p50 %.1f ms -> data-boundaries is %.1fx faster%n", naiveP50, naiveP50 / p50);
            System.out.printf("machine load average while measuring: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
            // the median is the answer time; the tail on a shared 2-core machine is other processes' noise, printed above
            assertThat(p50).as("median latency in ms").isLessThan(100.0);
        }
    }
}
