package dev.trawl.functions.snapshots;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.embedded.EmbeddedS3;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A snapshot as evidence, on s3proxy over a directory: {@code verify} holds for a fresh snapshot and
 * names the object whose bytes were changed on disk afterwards; a snapshot under
 * {@code TRAWL_SNAPSHOT_LOCK_DAYS} cannot be deleted (409 saying until when).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SnapshotEvidenceTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Path WORK;
    static final EmbeddedS3 S3;
    static final long NOW_MS = System.currentTimeMillis();

    static {
        try {
            WORK = Files.createTempDirectory("snapshot-evidence");
            S3 = EmbeddedS3.startForTest(WORK.resolve("s3"));
            try (S3Client s3 = S3.client()) {
                Path capture = RawChunks.capture("PcapPlusPlus/example.pcap");
                long endNs = (NOW_MS - 60_000) * 1_000_000L;
                RawChunks.write(s3, "trawl", WORK.resolve("chunks"), "node-a", capture, 3, RawChunks.startingAt(capture, endNs - 16_000_000_000L));
                RawChunks.heartbeat(s3, "trawl", "node-a", false, NOW_MS - 30_000);
            }
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        S3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("TRAWL_SNAPSHOT_GRACE", () -> "2m");
        registry.add("TRAWL_SNAPSHOT_LOCK_DAYS", () -> "30");
    }

    @AfterAll
    static void stop() throws Exception {
        S3.close();
    }

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> call(String method, String path, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void verifyHoldsUntilAnObjectChangesOnDiskAndALockedSnapshotStays() throws Exception {
        assertThat(call("POST", "/mcp/snapshots", "{\"name\":\"evidence-1\",\"duration\":\"30m\"}").statusCode()).isEqualTo(200);
        JsonNode snapshot;
        long deadline = System.nanoTime() + 60_000_000_000L;
        do {
            Thread.sleep(100);
            snapshot = JSON.readTree(call("GET", "/mcp/snapshots/evidence-1", null).body());
        } while (snapshot.get("status").asString().equals("in_progress") && System.nanoTime() < deadline);
        assertThat(snapshot.get("status").asString()).isEqualTo("completed");

        JsonNode fresh = JSON.readTree(call("GET", "/mcp/snapshots/evidence-1/verify", null).body());
        assertThat(fresh.get("verified").asBoolean()).as(fresh.toString()).isTrue();
        assertThat(fresh.get("objects_checked").asInt()).isEqualTo(3);
        assertThat(fresh.get("raw_metas_checked").asInt()).isEqualTo(3);
        assertThat(fresh.get("differences")).isEmpty();

        // one packet byte of one copied chunk changed where s3proxy keeps it
        Path objects = WORK.resolve("s3").resolve("trawl");
        List<Path> copies;
        try (var files = Files.walk(objects.resolve("snapshots").resolve("evidence-1"))) {
            copies = files.filter(p -> p.toString().endsWith(".pcap")).sorted().toList();
        }
        assertThat(copies).hasSize(3);
        Path tampered = copies.get(1);
        byte[] bytes = Files.readAllBytes(tampered);
        bytes[bytes.length - 1] ^= 0x01;
        Files.write(tampered, bytes);
        String tamperedKey = objects.relativize(tampered).toString().replace('\\', '/');

        JsonNode after = JSON.readTree(call("GET", "/mcp/snapshots/evidence-1/verify", null).body());
        assertThat(after.get("verified").asBoolean()).isFalse();
        assertThat(after.get("differences")).hasSize(1);
        assertThat(after.get("differences").get(0).get("key").asString()).isEqualTo(tamperedKey);
        assertThat(after.get("differences").get(0).get("actual").asString()).isNotEqualTo(after.get("differences").get(0).get("expected").asString());

        var delete = call("DELETE", "/mcp/snapshots/evidence-1", null);
        assertThat(delete.statusCode()).isEqualTo(409);
        String until = JSON.readTree(delete.body()).get("error").asString().replaceAll(".*retained until (\\S+) .*", "$1");
        assertThat(Instant.parse(until)).isAfter(Instant.now().plusSeconds(29L * 86400));
        assertThat(call("GET", "/mcp/snapshots/evidence-1", null).statusCode()).isEqualTo(200);

        assertThat(call("GET", "/mcp/snapshots/no-such/verify", null).statusCode()).isEqualTo(404);
    }
}
