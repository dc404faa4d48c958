package dev.trawl.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.capture.metrics.MetricsHttpServer;
import dev.trawl.capture.replay.ReplayCapture;
import dev.trawl.capture.replay.ReplayCapture.Pace;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.embedded.EmbeddedS3;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

class RetentionAndMetricsTest {
    @TempDir Path tmp;

    @Test
    void retentionDeletesOnlyThisNodesExpiredRawChunksAndNeverSnapshots() throws Exception {
        try (EmbeddedS3 s3proxy = EmbeddedS3.startForTest(tmp.resolve("s3")); var s3 = s3proxy.client()) {
            long now = System.currentTimeMillis();
            long old = (now - Duration.ofHours(25).toMillis()) * 1_000_000L;
            long recent = (now - Duration.ofHours(23).toMillis()) * 1_000_000L;
            String oldChunk = S3Layout.chunkKey("node-r", old, old + 1_000);
            String straddling = S3Layout.chunkKey("node-r", old, recent); // its end is inside the window: kept
            String recentChunk = S3Layout.chunkKey("node-r", recent, recent + 1_000);
            String otherNode = S3Layout.chunkKey("node-s", old, old + 1_000);
            String snapshot = S3Layout.snapshotChunkKey("incident-1", S3Layout.parseChunkKey(oldChunk).orElseThrow());
            for (String key : List.of(oldChunk, S3Layout.chunkMetaKey(oldChunk), straddling, recentChunk, otherNode, snapshot)) {
                s3.putObject(b -> b.bucket("trawl").key(key), RequestBody.fromString("x"));
            }
            try (CaptureDaemon d = CaptureDaemon.builder().node("node-r").s3(s3, "trawl").spoolDir(tmp.resolve("spool"))
                    .retention(Duration.ofHours(24)).build()) {
                assertThat(d.enforceRetention(now)).isEqualTo(1);
            }
            List<String> left = s3.listObjectsV2Paginator(b -> b.bucket("trawl")).contents().stream().map(S3Object::key).toList();
            assertThat(left).containsExactlyInAnyOrder(straddling, recentChunk, otherNode, snapshot);
        }
    }

    /** With S3 away, retention waits its interval between attempts rather than listing again every housekeeping turn. */
    @Test
    void retentionAgainstAnUnreachableS3WaitsItsIntervalBetweenAttempts() throws Exception {
        var listings = new java.util.concurrent.atomic.AtomicInteger();
        try (S3Client down = dev.trawl.core.s3.S3Settings.embedded(URI.create("http://127.0.0.1:9"), "trawl", "x", "y").client()) {
            // the real client, counting the listings it is asked for
            S3Client counting = (S3Client) java.lang.reflect.Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("listObjectsV2")) listings.incrementAndGet();
                        try {
                            return method.invoke(down, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            try (CaptureDaemon d = CaptureDaemon.builder().node("node-u").s3(counting, "trawl").spoolDir(tmp.resolve("spool"))
                    .source(new ReplayCapture(List.of(CaptureLauncher.demoCapture(tmp.resolve("demo"))), Pace.REALTIME, false))
                    .retention(Duration.ofHours(24)).retentionInterval(Duration.ofMinutes(1)).drainTimeout(Duration.ofMillis(100)).build()) {
                d.start();
                Thread.sleep(3000); // many housekeeping turns (every 200 ms)
            }
        }
        assertThat(listings.get()).isEqualTo(1);
    }

    @Test
    void metricsEndpointServesTheCaptureCountersInPrometheusFormat() throws Exception {
        var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Path demo = CaptureLauncher.demoCapture(tmp.resolve("demo"));
        try (EmbeddedS3 s3proxy = EmbeddedS3.startForTest(tmp.resolve("s3")); var s3 = s3proxy.client();
                MetricsHttpServer server = new MetricsHttpServer(registry, "127.0.0.1", 0)) {
            try (CaptureDaemon d = CaptureDaemon.builder().node("node-m").s3(s3, "trawl").spoolDir(tmp.resolve("spool"))
                    .source(new ReplayCapture(List.of(demo), Pace.FAST, false)).rotation(new Rotation(64L << 20, Duration.ofHours(1)))
                    .meterRegistry(registry).build()) {
                d.start();
                assertThat(d.awaitIdle(Duration.ofSeconds(30))).isTrue();
            }
            String body = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long demoPackets = dev.trawl.capture.chunk.PcapChunkFile.scan(demo).packets();
            assertThat(body).contains("trawl_capture_packets_total{node=\"node-m\"} " + demoPackets + ".0");
            assertThat(body).contains("trawl_capture_chunks_total{node=\"node-m\",state=\"uploaded\"} 1.0");
            assertThat(body).contains("trawl_capture_kernel_drops_total{node=\"node-m\"} 0.0");
            assertThat(body).contains("trawl_capture_spool_bytes{node=\"node-m\"} 0.0");
            assertThat(body).contains("trawl_capture_spool_dropped_chunks{node=\"node-m\"}");
            assertThat(body).contains("trawl_capture_upload_latency_seconds_count{node=\"node-m\"} 1");
        }
    }
}
