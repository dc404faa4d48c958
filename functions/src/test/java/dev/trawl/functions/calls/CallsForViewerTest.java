package dev.trawl.functions.calls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.access.Secrets;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.embedded.EmbeddedS3;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The calls of a dissection as a viewer sees them (no header values, no payloads) and as an analyst does, on the embedded ClickHouse. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CallsForViewerTest {
    static final String VIEWER = "trawl_" + Secrets.generate();
    static final String ANALYST = "trawl_" + Secrets.generate();
    static EmbeddedS3 s3;

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("calls-viewer");
        s3 = EmbeddedS3.startForTest(dir.resolve("s3"));
        s3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
        TestClickHouse.env().forEach((k, v) -> registry.add(k, () -> v));
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, Secrets.sha256Hex(VIEWER) + " viewer dashboards\n" + Secrets.sha256Hex(ANALYST) + " analyst alice\n");
        registry.add("TRAWL_AUTH", () -> "tokens");
        registry.add("TRAWL_AUTH_TOKENS_FILE", tokens::toString);
        registry.add("TRAWL_AUDIT_FLUSH_MS", () -> "200");
        Instant t = Instant.parse("2026-03-14T22:10:00Z");
        new DissectionStatusStore(s3.client(), s3.settings().bucket()).put(DissectionStatus.pending("incident", "full", t).withStatus(State.COMPLETED, t));
        TestClickHouse.loadSample("incident/full");
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    JsonNode get(String pathAndQuery, String token) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JsonMapper.builder().build().readTree(r.body());
    }

    @Test
    void aViewerSeesWhoCalledWhomButNoHeaderValueOrBody() throws Exception {
        String query = "/mcp/calls?db=incident/full&format=full&kfl="
                + URLEncoder.encode("dst.service.name == \"payment\" && status_code == 503", StandardCharsets.UTF_8);
        JsonNode analyst = get(query, ANALYST).path("calls").get(0);
        assertThat(analyst.path("request").path("headers").path("X-Trace").asString()).isEqualTo("abc");
        assertThat(analyst.path("request").path("body_preview").asString()).isEqualTo("{\"card\":\"x\"}");

        JsonNode viewerAnswer = get(query, VIEWER);
        assertThat(viewerAnswer.path("redacted").asString()).contains("analyst");
        JsonNode viewer = viewerAnswer.path("calls").get(0);
        assertThat(viewer.path("id").asString()).isEqualTo(analyst.path("id").asString());
        assertThat(viewer.path("method").asString()).isEqualTo("POST");
        assertThat(viewer.path("status").asInt()).isEqualTo(503);
        assertThat(viewer.path("request").path("headers").has("X-Trace")).isTrue();
        assertThat(viewer.path("request").path("headers").path("X-Trace").asString()).isEmpty();
        assertThat(viewer.path("request").path("body_preview").asString()).isEmpty();
        assertThat(viewer.path("response").path("body_preview").asString()).isEmpty();
        assertThat(viewerAnswer.toString()).doesNotContain("abc").doesNotContain("card");

        String id = analyst.path("id").asString();
        JsonNode detail = get("/mcp/calls/" + id + "?db=incident/full", VIEWER);
        assertThat(detail.toString()).doesNotContain("abc").doesNotContain("card").contains(id);
        assertThat(get("/mcp/calls/" + id + "?db=incident/full", ANALYST).toString()).contains("abc");

        // nor can a viewer learn a header value or body a match at a time
        String probe = "/mcp/calls?db=incident/full&kfl=" + URLEncoder.encode("request.headers[\"X-Trace\"] == \"abc\"", StandardCharsets.UTF_8);
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + probe))
                .header("Authorization", "Bearer " + VIEWER).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("'analyst'");
        assertThat(get(probe, ANALYST).path("calls")).isNotEmpty();

        // the analyst's full-call reads are in the audit trail's ClickHouse copy (the viewer's are not: no payload)
        long deadline = System.nanoTime() + 60_000_000_000L;
        List<JsonNode> audited;
        do {
            Thread.sleep(200);
            // the embedded ClickHouse is shared with other tests' apps, which audit their own calls
            audited = TestClickHouse.rows().select("SELECT actor, role, auth, action, outcome, status, client FROM audit "
                    + "WHERE target LIKE {t:String} AND auth = 'token' ORDER BY time", Map.of("t", "/mcp/calls/" + id + "%"));
        } while (audited.isEmpty() && System.nanoTime() < deadline);
        assertThat(audited).hasSize(1);
        assertThat(audited.getFirst().toString()).contains("\"actor\":\"alice\"", "\"action\":\"get_api_call\"", "\"outcome\":\"done\"", "127.0.0.1");
    }
}
