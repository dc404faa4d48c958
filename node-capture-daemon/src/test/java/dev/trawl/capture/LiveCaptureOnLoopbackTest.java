package dev.trawl.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import dev.trawl.capture.live.CapturePermission;
import dev.trawl.capture.live.LiveCapture;
import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.embedded.EmbeddedS3;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real libpcap capture on loopback, with tcpdump beside it on the same interface and filter.
 * Runs only where this process may capture (root or CAP_NET_RAW); skipped otherwise.
 */
class LiveCaptureOnLoopbackTest {
    @TempDir Path tmp;

    /** {@code lo} itself, and {@code any} (the daemon's default on Linux, link type Linux SLL). */
    @ParameterizedTest
    @ValueSource(strings = {"lo", "any"})
    void capturesWhatTcpdumpCapturesIntoRotatingChunks(String device) throws Exception {
        var permission = CapturePermission.check(device, 65535);
        assumeTrue(permission.live(), "no live capture here: " + permission.reason());
        assumeTrue(Chunks.hasTool("tcpdump"), "tcpdump not installed");

        HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/", ex -> {
            int status = ex.getRequestURI().getPath().contains("missing") ? 404 : 200;
            byte[] body = ("status " + status).getBytes();
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        web.start();
        int port = web.getAddress().getPort();
        String filter = "tcp port " + port;
        Path reference = tmp.resolve("tcpdump.pcap");
        Process tcpdump = Chunks.tcpdumpBeside(device, filter, reference);

        try (EmbeddedS3 s3proxy = EmbeddedS3.startForTest(tmp.resolve("s3")); var s3 = s3proxy.client()) {
            try (CaptureDaemon daemon = CaptureDaemon.builder().node("node-live").s3(s3, "trawl").spoolDir(tmp.resolve("spool"))
                    .source(new LiveCapture(device, filter, 8 << 20))
                    .rotation(new Rotation(64L << 20, Duration.ofMillis(700)))
                    .build()) {
                daemon.start();
                Thread.sleep(1500); // the daemon's handle open
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                for (int i = 0; i < 150; i++) {
                    String path = i % 5 == 0 ? "/missing/" + i : "/ok/" + i;
                    http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.discarding());
                    if (i % 50 == 49) Thread.sleep(800);
                }
                // its kept-alive connection ends now, while both captures run, not at an idle
                // timeout while they stop (one stopped would miss the closing packets the other has)
                http.close();
                Thread.sleep(1000);
                assertThat(daemon.failure()).isNull();
            } finally {
                tcpdump.destroy(); // SIGTERM: tcpdump flushes and exits
                tcpdump.waitFor(10, TimeUnit.SECONDS);
                web.stop(0);
            }
            List<Chunks.Stored> chunks = Chunks.download(s3, "trawl", "node-live", tmp.resolve("down"));
            long daemonPackets = 0, kernelDrops = 0;
            for (Chunks.Stored c : chunks) {
                assertThat(Chunks.capinfosPackets(c.file())).isEqualTo(c.meta().packets());
                assertThat(c.meta().mode()).isEqualTo(ChunkMeta.LIVE);
                assertThat(c.meta().interfaces()).containsExactly(device);
                assertThat(c.meta().linkType()).isEqualTo(device.equals("any") ? 113 : 1);
                daemonPackets += c.meta().packets();
                kernelDrops += c.meta().kernelDrops();
            }
            long tcpdumpPackets = Chunks.capinfosPackets(reference);
            assertThat(tcpdumpPackets).isGreaterThan(150 * 2); // a request and a response each, on kept-alive connections
            assertThat(chunks.size()).as("rotation by time over ~3 s of traffic").isGreaterThanOrEqualTo(3);
            assertThat(Math.abs(daemonPackets - tcpdumpPackets)).as("daemon %d vs tcpdump %d packets", daemonPackets, tcpdumpPackets)
                    .isLessThanOrEqualTo(kernelDrops);
        }
    }
}
