package dev.trawl.dissector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.Client;
import dev.trawl.core.clickhouse.CallsDatasets;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.events.EventSender;
import dev.trawl.core.events.TrawlEvents;
import dev.trawl.core.pcap.SharedPcaps;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.PcapSource;
import dev.trawl.embedded.EmbeddedS3;
import dev.trawl.embedded.clickhouse.EmbeddedClickHouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The dissector in service mode: binary-mode CloudEvents on POST /events, sent by trawl's own sender. */
@SpringBootTest(classes = DissectorApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"TRAWL_DISSECTOR_STATUS_INTERVAL_MS=200", "TRAWL_DISSECTOR_RESUME_AFTER_S=2"})
class DissectorEventsTest {
    static final Path dir;
    static final EmbeddedS3 s3;
    static final EmbeddedClickHouse clickHouse;

    static {
        try {
            dir = Files.createTempDirectory("dissector-events");
            s3 = EmbeddedS3.startForTest(dir.resolve("s3"));
            clickHouse = EmbeddedClickHouse.startForTest(dir.resolve("ch"));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        s3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
        clickHouse.toEnv().forEach((k, v) -> registry.add(k, () -> v));
    }

    @AfterAll
    static void stop() throws Exception {
        clickHouse.close();
        s3.close();
    }

    @LocalServerPort int port;

    EventSender sender() {
        return new EventSender(URI.create("http://127.0.0.1:" + port + "/events"), "test");
    }

    @Test
    void aDissectionRequestRunsTheJobToCompletion() throws Exception {
        try (S3Client s3Client = s3.client()) {
            var store = new DissectionStatusStore(s3Client, "trawl");
            new ReplayedSnapshot(s3Client, "trawl", "evt-snap", Instant.parse("2026-03-01T00:00:00Z"))
                    .add("node-a", SharedPcaps.dir().resolve("PcapPlusPlus/4KHttpRequests.pcap")).complete();
            store.create(DissectionStatus.pending("evt-snap", "analysis", Instant.now()));
            sender().send(TrawlEvents.DISSECTION_REQUESTED, "evt-snap/analysis", Map.of("snapshot", "evt-snap", "name", "analysis"));
            var done = await(store, "evt-snap", "analysis", s -> s.status().isTerminal());
            assertThat(done.status()).isEqualTo(State.COMPLETED);
            assertThat(done.stats().protocolCounts()).containsKey("http");
            assertThat(done.entryCount()).isEqualTo(done.stats().entriesCreated()).isPositive();
        }
    }

    @Test
    void aRunWhoseProcessDiedJustBeforeThisOneStartedIsResumedOnceItsStatusFallsSilent() throws Exception {
        Path pcap = SharedPcaps.dir().resolve("PcapPlusPlus/4KHttpRequests.pcap");
        try (S3Client s3Client = s3.client(); Client client = ClickHouseSettings.from(clickHouse.toEnv()::get).client()) {
            var store = new DissectionStatusStore(s3Client, "trawl");
            new ReplayedSnapshot(s3Client, "trawl", "killed-snap", Instant.parse("2026-03-02T00:00:00Z")).add("node-a", pcap).complete();
            // what a process killed a moment ago leaves: running, written just now, no event coming
            store.create(DissectionStatus.pending("killed-snap", "analysis", Instant.now()).withStatus(State.RUNNING, Instant.now()));
            var done = await(store, "killed-snap", "analysis", s -> s.status().isTerminal());
            assertThat(done.status()).isEqualTo(State.COMPLETED);
            long expected = DissectionEngine.standard().dissect("node-a", List.of(PcapSource.file(pcap)), e -> {}).entries();
            assertThat(done.entryCount()).isEqualTo(expected).isPositive();
            assertThat(CallsDatasets.counts(client, "killed-snap/analysis").entries()).isEqualTo(expected);
        }
    }

    @Test
    void anUploadedChunkIsAcknowledgedOnceItsRowsAreInClickHouse() throws Exception {
        Path pcap = SharedPcaps.dir().resolve("PcapPlusPlus/4KHttpRequests.pcap");
        String key = S3Layout.chunkKey("worker-1", 1_700_000_000_000_000_000L, 1_700_000_030_000_000_000L);
        try (S3Client s3Client = s3.client(); Client client = ClickHouseSettings.from(clickHouse.toEnv()::get).client()) {
            s3Client.putObject(b -> b.bucket("trawl").key(key), RequestBody.fromFile(pcap));
            // the sender returns on a 2xx: the dissector answers it when the rows are loaded
            sender().send(TrawlEvents.PCAP_UPLOADED, key, Map.of("node", "worker-1", "key", key));
            long expected = DissectionEngine.standard().dissect("worker-1", List.of(PcapSource.file(pcap)), e -> {}).entries();
            long rows = CallsDatasets.realtimeByNode(client).getOrDefault("worker-1", CallsDatasets.Counts.NONE).entries();
            // the lane keeps its session open for the next chunk: what completes within this one is loaded now
            assertThat(rows).isPositive().isLessThanOrEqualTo(expected);
            // a node trawl never heard of (no heartbeat, no chunks): refused, not a lane of its own
            String forged = S3Layout.chunkKey("forged-node", 1, 2);
            assertThatThrownBy(() -> sender().send(TrawlEvents.PCAP_UPLOADED, forged, Map.of("node", "forged-node", "key", forged)))
                    .hasMessageContaining("400").hasMessageContaining("unknown node");
        }
    }

    @Test
    void somethingThatIsNoCloudEventIsA400() throws Exception {
        var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"success\":false");
    }

    @Test
    void anEventLargerThanAnyTrawlSendsIsRefusedOnItsHeaders() throws Exception {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            socket.getOutputStream().write(("POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Ce-Specversion: 1.0\r\nCe-Type: dev.trawl.pcap.uploaded\r\nCe-Id: big\r\nCe-Source: test\r\n"
                    + "Content-Length: " + (256L << 20) + "\r\n\r\n{").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 413").contains("\"success\":false", "/events");
        }
    }

    static DissectionStatus await(DissectionStatusStore store, String snapshot, String name, Predicate<DissectionStatus> condition)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            var s = store.find(snapshot, name);
            if (s.isPresent() && condition.test(s.get())) return s.get();
            Thread.sleep(100);
        }
        throw new AssertionError("never: " + store.find(snapshot, name));
    }
}
