package dev.trawl.functions.dissections;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import com.sun.net.httpserver.HttpServer;
import dev.trawl.core.clickhouse.ClickHouseSchema;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.embedded.EmbeddedS3;
import dev.trawl.embedded.clickhouse.EmbeddedClickHouse;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seed's dissection endpoints over HTTP, against a real S3 (s3proxy), a real ClickHouse
 * engine (chDB behind its HTTP interface) and a real HTTP event sink. The job itself is not
 * running here: its side of status.json is written by the test, as the job would.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "TRAWL_DISSECTION_STOP_WAIT_MS=300")
class DissectionsApiTest {
    static final Path dir;
    static final EmbeddedS3 s3;
    static final EmbeddedClickHouse clickHouse;
    static final HttpServer sink;
    static final List<String> events = new CopyOnWriteArrayList<>();

    static {
        try {
            dir = Files.createTempDirectory("dissections-api");
            s3 = EmbeddedS3.startForTest(dir.resolve("s3"));
            clickHouse = EmbeddedClickHouse.startForTest(dir.resolve("ch"));
            sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            sink.createContext("/", exchange -> {
                events.add(exchange.getRequestHeaders().getFirst("ce-type") + " " + new String(exchange.getRequestBody().readAllBytes()));
                exchange.sendResponseHeaders(202, -1);
                exchange.close();
            });
            sink.start();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        s3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
        clickHouse.toEnv().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("K_SINK", () -> "http://127.0.0.1:" + sink.getAddress().getPort() + "/");
    }

    @AfterAll
    static void stop() throws Exception {
        sink.stop(0);
        clickHouse.close();
        s3.close();
    }

    @LocalServerPort int port;
    final HttpClient http = HttpClient.newHttpClient();
    final JsonMapper json = JsonMapper.builder().build();
    S3Client s3Client;
    DissectionStatusStore store;

    @BeforeEach
    void clients() {
        s3Client = s3.client();
        store = new DissectionStatusStore(s3Client, s3.settings().bucket());
    }

    record Answer(int status, JsonNode body) {}

    Answer call(String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), json.readTree(response.body()));
    }

    void snapshot(String name) {
        s3Client.putObject(b -> b.bucket("trawl").key("snapshots/" + name + "/node-a/0000000000000000001-0000000000000000002.pcap"),
                RequestBody.fromBytes(new byte[] {1}));
    }

    @Test
    void startRecordsTheRequestEmitsTheEventAndRefusesATakenName() throws Exception {
        snapshot("incident-2024-02-01");
        var started = call("POST", "/mcp/dissections", "{\"snapshot\":\"incident-2024-02-01\",\"name\":\"full-dissection\"}");
        assertThat(started.status()).isEqualTo(200);
        assertThat(started.body().toString())
                .isEqualTo("{\"success\":true,\"snapshot\":\"incident-2024-02-01\",\"name\":\"full-dissection\",\"status\":\"pending\"}");
        assertThat(events).anyMatch(e -> e.startsWith("dev.trawl.dissection.requested ")
                && e.contains("\"snapshot\":\"incident-2024-02-01\"") && e.contains("\"name\":\"full-dissection\""));

        var again = call("POST", "/mcp/dissections", "{\"snapshot\":\"incident-2024-02-01\",\"name\":\"full-dissection\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().get("success").asBoolean()).isFalse();

        var status = call("GET", "/mcp/dissections/incident-2024-02-01/full-dissection", null);
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.body().get("status").asString()).isEqualTo("pending");
        assertThat(status.body().get("progress").asInt()).isZero();
        assertThat(status.body().get("stats").propertyNames()).containsExactly(
                "pcap_files", "pcap_bytes", "packets_processed", "entries_created", "protocol_counts");
        assertThat(status.body().get("errors").isArray()).isTrue();
    }

    @Test
    void aSnapshotStillInProgressOrFailedIsNotDissected() throws Exception {
        var window = new dev.trawl.core.snapshot.SnapshotManifest.Window(1_000, 2_000);
        var assembling = dev.trawl.core.snapshot.SnapshotManifest.requested("assembling", "2026-01-01T00:00:00Z", "1h", window, List.of());
        var failed = dev.trawl.core.snapshot.SnapshotManifest.requested("broken", "2026-01-01T00:00:00Z", "1h", window, List.of())
                .failed("no packets were captured in the window", "2026-01-01T00:00:01Z");
        for (var m : List.of(assembling, failed)) {
            s3Client.putObject(b -> b.bucket("trawl").key(dev.trawl.core.s3.S3Layout.snapshotManifestKey(m.name())),
                    software.amazon.awssdk.core.sync.RequestBody.fromBytes(m.toJson()));
        }
        var early = call("POST", "/mcp/dissections", "{\"snapshot\":\"assembling\",\"name\":\"d\"}");
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.body().get("error").asString()).contains("still in progress").contains("once it is completed");
        var broken = call("POST", "/mcp/dissections", "{\"snapshot\":\"broken\",\"name\":\"d\"}");
        assertThat(broken.status()).isEqualTo(409);
        assertThat(broken.body().get("error").asString()).contains("failed").contains("no packets were captured");
        assertThat(call("GET", "/mcp/dissections?snapshot=assembling", null).body().toString()).isEqualTo("{\"dissections\":[]}");
    }

    @Test
    void badRequestsAreAnsweredWithTheRightStatus() throws Exception {
        assertThat(call("POST", "/mcp/dissections", "{\"snapshot\":\"no-such-snapshot\",\"name\":\"x\"}").status()).isEqualTo(404);
        assertThat(call("POST", "/mcp/dissections", "{\"snapshot\":\"../etc\",\"name\":\"x\"}").status()).isEqualTo(400);
        assertThat(call("POST", "/mcp/dissections", "{\"snapshot\":\"s\"}").status()).isEqualTo(400);
        assertThat(call("POST", "/mcp/dissections", "not json").status()).isEqualTo(400);
        assertThat(call("GET", "/mcp/dissections/s/none", null).status()).isEqualTo(404);
        assertThat(call("POST", "/mcp/dissections/s/none/stop", null).status()).isEqualTo(404);
        assertThat(call("DELETE", "/mcp/dissections/s/none", null).status()).isEqualTo(404);
    }

    @Test
    void listShowsProgressForWorkingAndEntriesForFinishedOnes() throws Exception {
        Instant now = Instant.now();
        store.create(DissectionStatus.pending("list-snap", "http-only", now).withStatus(State.RUNNING, now)
                .withProgress(30, DissectionStatus.Stats.EMPTY, now));
        store.create(DissectionStatus.pending("list-snap", "full", now).withStatus(State.COMPLETED, now).withEntries(50000, 1L, 2L, now));
        store.create(DissectionStatus.pending("other-snap", "x", now));
        var list = call("GET", "/mcp/dissections?snapshot=list-snap", null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().toString()).isEqualTo("{\"dissections\":["
                + "{\"snapshot\":\"list-snap\",\"name\":\"full\",\"status\":\"completed\",\"entry_count\":50000},"
                + "{\"snapshot\":\"list-snap\",\"name\":\"http-only\",\"status\":\"running\",\"progress\":30}]}");
        assertThat(call("GET", "/mcp/dissections", null).body().get("dissections").size()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void stopEndsAPendingOneAtOnceAndAsksARunningOne() throws Exception {
        Instant now = Instant.now();
        store.create(DissectionStatus.pending("stop-snap", "waiting", now));
        var stopped = call("POST", "/mcp/dissections/stop-snap/waiting/stop", null);
        assertThat(stopped.body().toString())
                .isEqualTo("{\"success\":true,\"snapshot\":\"stop-snap\",\"name\":\"waiting\",\"status\":\"cancelled\"}");
        assertThat(store.find("stop-snap", "waiting").orElseThrow().status()).isEqualTo(State.CANCELLED);
        assertThat(call("POST", "/mcp/dissections/stop-snap/waiting/stop", null).status()).isEqualTo(409);

        store.create(DissectionStatus.pending("stop-snap", "busy", now).withStatus(State.RUNNING, now));
        assertThat(call("POST", "/mcp/dissections/stop-snap/busy/stop", null).status()).isEqualTo(200);
        assertThat(store.find("stop-snap", "busy").orElseThrow().cancelRequested()).isTrue();
        assertThat(events).anyMatch(e -> e.startsWith("dev.trawl.dissection.cancelled ") && e.contains("busy"));
    }

    @Test
    void deleteDropsTheDataAndTheStatusButNotWhileRunning() throws Exception {
        Instant now = Instant.now();
        try (Client ch = ClickHouseSettings.from(clickHouse.toEnv()::get).client()) {
            ClickHouseSchema.migrate(ch);
            ch.execute("INSERT INTO calls (dataset, id, ts, node, protocol) VALUES"
                    + " ('del-snap/done', 'a', '2024-02-01 00:00:00', 'n', 'http'), ('del-snap/done', 'b', '2024-02-02 00:00:00', 'n', 'http'),"
                    + " ('del-snap/kept', 'c', '2024-02-01 00:00:00', 'n', 'http')").get(30, TimeUnit.SECONDS).close();
            store.create(DissectionStatus.pending("del-snap", "done", now).withStatus(State.COMPLETED, now));
            store.create(DissectionStatus.pending("del-snap", "kept", now).withStatus(State.RUNNING, now));

            var refused = call("DELETE", "/mcp/dissections/del-snap/kept", null);
            assertThat(refused.status()).isEqualTo(409);

            var deleted = call("DELETE", "/mcp/dissections/del-snap/done", null);
            assertThat(deleted.body().toString()).isEqualTo("{\"success\":true,\"snapshot\":\"del-snap\",\"name\":\"done\"}");
            assertThat(store.find("del-snap", "done")).isEmpty();
            assertThat(ch.queryAll("SELECT dataset, count() AS n FROM calls WHERE dataset LIKE 'del-snap/%' GROUP BY dataset")
                    .stream().map(r -> r.getString("dataset") + "=" + r.getLong("n")).toList()).containsExactly("del-snap/kept=1");
            assertThat(call("GET", "/mcp/dissections/del-snap/done", null).status()).isEqualTo(404);
        }
    }

    @Test
    void databasesListsRealtimePerNodeAndEveryDissection() throws Exception {
        Instant now = Instant.now();
        try (Client ch = ClickHouseSettings.from(clickHouse.toEnv()::get).client()) {
            ClickHouseSchema.migrate(ch);
            ch.execute("INSERT INTO calls (dataset, id, ts, node, protocol) VALUES"
                    + " ('realtime', 'r1', '2024-02-01 00:00:00', 'worker-1', 'http'), ('realtime', 'r2', '2024-02-01 01:00:00', 'worker-1', 'dns'),"
                    + " ('realtime', 'r3', '2024-02-01 00:30:00', 'worker-2', 'http'),"
                    + " ('db-snap/full', 'd1', '2024-01-31 23:00:00', 'worker-1', 'http')").get(30, TimeUnit.SECONDS).close();
        }
        store.create(DissectionStatus.pending("db-snap", "full", now).withStatus(State.COMPLETED, now));
        var answer = call("GET", "/mcp/databases", null);
        assertThat(answer.status()).isEqualTo(200);
        Map<String, JsonNode> byKey = new java.util.HashMap<>();
        for (JsonNode db : answer.body().get("databases")) {
            byKey.put(db.get("type").asString() + ":" + (db.has("node") ? db.get("node").asString() : db.get("snapshot").asString() + "/" + db.get("name").asString()), db);
        }
        assertThat(byKey.get("realtime:worker-1").toString())
                .isEqualTo("{\"type\":\"realtime\",\"node\":\"worker-1\",\"entry_count\":2,\"first_ts\":1706745600000,\"last_ts\":1706749200000,\"gaps\":[]}");
        assertThat(byKey.get("realtime:worker-2").get("entry_count").asLong()).isEqualTo(1);
        assertThat(byKey.get("dissection:db-snap/full").toString()).isEqualTo("{\"type\":\"dissection\",\"snapshot\":\"db-snap\",\"name\":\"full\","
                + "\"entry_count\":1,\"status\":\"completed\",\"first_ts\":1706742000000,\"last_ts\":1706742000000}");
    }
}
