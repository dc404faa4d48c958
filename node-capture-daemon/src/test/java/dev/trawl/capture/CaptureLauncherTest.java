package dev.trawl.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.core.chunk.Heartbeat;
import dev.trawl.core.chunk.Workload;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.embedded.EmbeddedS3;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment-name configuration the pod and the local stack share. */
class CaptureLauncherTest {
    @TempDir Path tmp;

    @Test
    void replayOfTheDemoAsTwoNodesFromEnvironmentNamesAlone() throws Exception {
        try (EmbeddedS3 s3proxy = EmbeddedS3.startForTest(tmp.resolve("s3")); var s3 = s3proxy.client()) {
            Map<String, String> env = new HashMap<>(s3proxy.settings().toEnv());
            env.putAll(Map.of("TRAWL_NODE", "node-1", "TRAWL_CAPTURE_MODE", "replay", "TRAWL_CAPTURE_REPLAY_NODES", "node-1,node-2",
                    "TRAWL_CAPTURE_REPLAY_PACE", "fast", "TRAWL_CAPTURE_REPLAY_LOOP", "false",
                    "TRAWL_CAPTURE_SPOOL_DIR", tmp.resolve("spool").toString()));
            int metricsPort;
            try (var free = new java.net.ServerSocket(0)) {
                metricsPort = free.getLocalPort();
            }
            env.put("TRAWL_CAPTURE_METRICS_PORT", String.valueOf(metricsPort));
            env.put("TRAWL_CAPTURE_METRICS_HOST", "127.0.0.1");
            long demoPackets = Chunks.capinfosPackets(CaptureLauncher.demoCapture(tmp.resolve("demo")));
            try (CaptureLauncher.Launched launched = CaptureLauncher.launchServingMetrics(env::get)) {
                assertThat(launched.mode()).isEqualTo("replay");
                assertThat(launched.reason()).contains("TRAWL_CAPTURE_MODE=replay").contains("demo.pcap").contains("node-2");
                for (CaptureDaemon d : launched.daemons()) assertThat(d.awaitIdle(Duration.ofSeconds(60))).isTrue();
                assertThat(launched.metricsUrl()).isEqualTo("http://127.0.0.1:" + metricsPort + "/metrics");
                String scrape = new String(java.net.URI.create(launched.metricsUrl()).toURL().openStream().readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8);
                assertThat(scrape).contains("trawl_capture_packets_total{node=\"node-2\"} " + demoPackets + ".0");
            }
            // closed with the daemons: nothing listens any more
            assertThatThrownBy(() -> new java.net.Socket("127.0.0.1", metricsPort).close()).isInstanceOf(java.net.ConnectException.class);
            for (String node : new String[] {"node-1", "node-2"}) {
                var chunks = Chunks.download(s3, "trawl", node, tmp.resolve("down-" + node));
                assertThat(chunks.stream().mapToLong(c -> c.meta().packets()).sum()).isEqualTo(demoPackets);
                // the demo replays with its shop's workload table, each pod on the node replaying it
                assertThat(chunks).allSatisfy(c -> assertThat(c.meta().workloads())
                        .containsEntry("127.0.0.13", new Workload("payment-6b7f5d8c9-r4hjs", "shop", "payment", node))
                        .containsKeys("127.0.0.1", "127.0.0.10", "127.0.0.11", "127.0.0.12"));
                Heartbeat hb = Heartbeat.fromJson(s3.getObjectAsBytes(b -> b.bucket("trawl").key(S3Layout.heartbeatKey(node))).asByteArray());
                assertThat(hb.mode()).isEqualTo("replay");
                assertThat(hb.interfaces()).containsExactly("demo.pcap");
            }
        }
    }

    @Test
    void configurationErrorsSayWhatIsWrong() {
        assertThatThrownBy(() -> CaptureConfig.from(Map.<String, String>of()::get)).hasMessageContaining("TRAWL_NODE");
        assertThatThrownBy(() -> CaptureConfig.from(Map.of("TRAWL_NODE", "n", "TRAWL_CAPTURE_MODE", "sometimes")::get))
                .hasMessageContaining("auto, live, replay or off");
        assertThatThrownBy(() -> CaptureConfig.from(Map.of("TRAWL_NODE", "n", "TRAWL_CAPTURE_ROTATE_BYTES", "64M")::get))
                .hasMessageContaining("TRAWL_CAPTURE_ROTATE_BYTES");
        assertThatThrownBy(() -> CaptureConfig.from(Map.of("TRAWL_NODE", "n", "TRAWL_CAPTURE_ROTATE_SECONDS", "30s")::get))
                .hasMessageContaining("TRAWL_CAPTURE_ROTATE_SECONDS").hasMessageContaining("'30s'");
        assertThatThrownBy(() -> CaptureConfig.from(Map.of("TRAWL_NODE", "n", "TRAWL_CAPTURE_REPLAY_PACE", "slow")::get))
                .hasMessageContaining("TRAWL_CAPTURE_REPLAY_PACE must be realtime or fast");
        assertThatThrownBy(() -> CaptureConfig.from(Map.of("TRAWL_NODE", "n", "TRAWL_CAPTURE_EXCLUDE_OWN", "yes")::get))
                .hasMessageContaining("TRAWL_CAPTURE_EXCLUDE_OWN must be true or false");
        assertThat(CaptureConfig.from(Map.of("TRAWL_NODE", "n", "TRAWL_CAPTURE_VERIFY_ETAG", "FALSE", "TRAWL_CAPTURE_REPLAY_PACE", "Fast")::get))
                .satisfies(c -> assertThat(c.verifyEtag()).isFalse())
                .satisfies(c -> assertThat(c.replayPace()).isEqualTo(dev.trawl.capture.replay.ReplayCapture.Pace.FAST));
        assertThatThrownBy(() -> CaptureDaemon.builder().node("../etc").s3(null, "b").spoolDir(tmp).build())
                .hasMessageContaining("node name");
    }

    @Test
    void trawlsOwnPortsAreLeftOutOfTheUsersFilter() {
        var withFilter = CaptureConfig.from(Map.of("TRAWL_NODE", "n", "TRAWL_CAPTURE_FILTER", "tcp")::get);
        assertThat(withFilter.effectiveFilter())
                .isEqualTo("(tcp) and not (tcp port 9000 or tcp port 8123 or tcp port 8898 or tcp port 8890 or tcp port 8899)");
        var none = CaptureConfig.from(Map.of("TRAWL_NODE", "n", "TRAWL_CAPTURE_EXCLUDE_PORTS", "")::get);
        assertThat(none.effectiveFilter()).isEmpty();
        assertThat(none.liveInterfaces()).containsExactly("any");
    }
}
