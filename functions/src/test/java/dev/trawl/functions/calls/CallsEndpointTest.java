package dev.trawl.functions.calls;

import static org.assertj.core.api.Assertions.assertThat;

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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.embedded.EmbeddedS3;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code GET /mcp/calls} and {@code /mcp/calls/:id} end to end: the app, S3 dissection states, the embedded ClickHouse over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CallsEndpointTest {

    static EmbeddedS3 s3;

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) throws Exception {
        s3 = EmbeddedS3.startForTest(Files.createTempDirectory("calls-s3"));
        s3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
        TestClickHouse.env().forEach((k, v) -> registry.add(k, () -> v));
        DissectionStatusStore store = new DissectionStatusStore(s3.client(), s3.settings().bucket());
        Instant t = Instant.parse("2026-03-14T22:10:00Z");
        store.put(DissectionStatus.pending("incident", "full", t).withStatus(State.COMPLETED, t));
        store.put(DissectionStatus.pending("incident", "busy", t).withStatus(State.RUNNING, t).withProgress(45, null, t));
        store.put(DissectionStatus.pending("incident", "broken", t).withErrors(List.of("pcap chunk-3 is truncated"), t).withStatus(State.FAILED, t));
        TestClickHouse.loadSample("incident/full");
        TestClickHouse.loadSample("realtime");
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    record Answer(int status, JsonNode json) {}

    Answer get(String pathAndQuery) throws Exception {
        return get(http, port, pathAndQuery);
    }

    static Answer get(HttpClient http, int port, String pathAndQuery) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), JsonMapper.builder().build().readTree(r.body()));
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void seedQueryOnADissection() throws Exception {
        long timed = ClientRows.QUERY.count();
        Answer a = get("/mcp/calls?db=incident/full&kfl=" + q("http and status >= 400"));
        assertThat(a.status()).isEqualTo(200);
        assertThat(ClientRows.QUERY.count()).as("trawl_calls_query_seconds counts the query").isGreaterThan(timed);
        assertThat(a.json().path("total").asLong()).isEqualTo(2);
        assertThat(a.json().path("truncated").asBoolean()).isFalse();
        JsonNode first = a.json().path("calls").get(0);
        // newest first
        assertThat(first.path("id").asString()).isEqualTo("a1");
        assertThat(a.json().path("calls").get(1).path("id").asString()).isEqualTo("a2");
        assertThat(first.path("ts").asLong()).isEqualTo(Instant.parse("2026-03-14T21:58:00Z").toEpochMilli());
        assertThat(first.path("src").path("pod").asString()).isEqualTo("front-1");
        assertThat(first.path("src").path("svc").asString()).isEqualTo("frontend");
        assertThat(first.path("dst").path("ns").asString()).isEqualTo("shop");
        assertThat(first.path("dst").path("port").asInt()).isEqualTo(8080);
        assertThat(first.path("proto").asString()).isEqualTo("http");
        assertThat(first.path("method").asString()).isEqualTo("POST");
        assertThat(first.path("status").asInt()).isEqualTo(503);
        assertThat(first.path("latency_ms").asDouble()).isEqualTo(2500.0);
        assertThat(first.has("request")).isFalse();
    }

    @Test
    void statsAddUpToTheListingsTotal() throws Exception {
        for (String kfl : List.of("", "http", "status >= 400", "dst.svc == \"checkout\"")) {
            long total = get("/mcp/calls?db=incident/full&limit=1&kfl=" + q(kfl)).json().path("total").asLong();
            Answer stats = get("/mcp/stats?db=incident/full&group_by=" + q("proto,status") + "&kfl=" + q(kfl));
            assertThat(stats.status()).isEqualTo(200);
            assertThat(stats.json().path("totals").path("count").asLong()).as(kfl).isEqualTo(total);
            long summed = 0;
            for (JsonNode g : stats.json().path("groups")) summed += g.path("count").asLong();
            assertThat(summed).as(kfl).isEqualTo(total);
        }
        Answer byService = get("/mcp/stats?db=incident/full&group_by=" + q("dst.service,minute") + "&kfl=http");
        JsonNode group = byService.json().path("groups").get(0);
        assertThat(group.has("dst.service")).isTrue();
        assertThat(group.path("minute").asLong() % 60_000).isZero();
        assertThat(group.path("latency_ms").size()).isEqualTo(3);
        assertThat(byService.json().path("totals").path("errors").asLong())
                .isEqualTo(get("/mcp/calls?db=incident/full&limit=1&kfl=" + q("http and (status >= 400 or grpc_status != 0)")).json().path("total").asLong());
        Answer bad = get("/mcp/stats?db=incident/full&group_by=" + q("status; DROP TABLE calls"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("error").asString()).contains("group_by takes one or more of");
    }

    @Test
    void limitTruncatesAndTotalCountsAll() throws Exception {
        Answer a = get("/mcp/calls?db=incident/full&limit=2");
        assertThat(a.json().path("calls").size()).isEqualTo(2);
        assertThat(a.json().path("total").asLong()).isEqualTo(7);
        assertThat(a.json().path("truncated").asBoolean()).isTrue();
        assertThat(a.json().path("calls").get(0).path("id").asString()).isEqualTo("k1");
    }

    @Test
    void timeWindowInMilliseconds() throws Exception {
        long start = Instant.parse("2026-03-14T21:59:00Z").toEpochMilli();
        long end = Instant.parse("2026-03-14T21:59:30Z").toEpochMilli();
        Answer a = get("/mcp/calls?db=incident/full&start=" + start + "&end=" + end);
        assertThat(a.json().path("calls").findValuesAsString("id")).containsExactly("r1", "g1", "d1");
    }

    @Test
    void aWindowReachingPastTheYear2106StillFindsTheCalls() throws Exception {
        // the sort key's toStartOfHour(ts) is a DateTime, which wraps after 2106: such a bound must not go through it
        long y2128 = Instant.parse("2128-06-01T00:00:00Z").toEpochMilli();
        assertThat(get("/mcp/calls?db=incident/full&start=0&end=" + y2128).json().path("total").asLong()).isEqualTo(7);
        assertThat(get("/mcp/calls?db=incident/full&end=" + Long.MAX_VALUE / 1000).json().path("total").asLong()).isEqualTo(7);
        Answer beyond = get("/mcp/calls?db=incident/full&end=" + Long.MAX_VALUE);
        assertThat(beyond.status()).isEqualTo(400);
        assertThat(beyond.json().path("error").asString()).contains("end must be epoch milliseconds");
    }

    @Test
    void fullFormatAddsHeadersBodiesAndSizes() throws Exception {
        Answer a = get("/mcp/calls?db=incident/full&format=full&kfl=" + q("dst.service.name == \"payment\" && status_code == 503"));
        JsonNode c = a.json().path("calls").get(0);
        assertThat(c.path("request").path("headers").path("X-Trace").asString()).isEqualTo("abc");
        assertThat(c.path("request").path("body_preview").asString()).isEqualTo("{\"card\":\"x\"}");
        assertThat(c.path("request").path("size").asLong()).isEqualTo(100);
        assertThat(c.path("response").path("body_preview").asString()).isEqualTo("busy");
        assertThat(c.path("response").path("body_preview_truncated").asBoolean()).isFalse();
        assertThat(c.path("summary").asString()).isEqualTo("POST /api/checkout 503");
    }

    @Test
    void withoutDbItIsRealTime() throws Exception {
        Answer a = get("/mcp/calls?kfl=dns");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("calls").findValuesAsString("id")).containsExactly("d1");
    }

    @Test
    void oneCallsDetailsWithPayloadLimit() throws Exception {
        Answer a = get("/mcp/calls/a1?db=incident/full&max_payload=4");
        assertThat(a.status()).isEqualTo(200);
        JsonNode c = a.json().path("call");
        assertThat(c.path("request").path("body").asString()).isEqualTo("{\"ca");
        assertThat(c.path("request").path("body_truncated").asBoolean()).isTrue();
        assertThat(c.path("response").path("headers").path("content-type").asString()).isEqualTo("text/plain");
        assertThat(get("/mcp/calls/nope?db=incident/full").status()).isEqualTo(404);
        assertThat(get("/mcp/calls/" + q("a1' OR '1'='1") + "?db=incident/full").status()).isEqualTo(400);
    }

    @Test
    void unknownAndUnfinishedDissections() throws Exception {
        Answer unknown = get("/mcp/calls?db=incident/nothing");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("success").asBoolean(true)).isFalse();
        assertThat(unknown.json().path("error").asString()).contains("nothing");

        Answer busy = get("/mcp/calls?db=incident/busy");
        assertThat(busy.status()).isEqualTo(409);
        assertThat(busy.json().path("error").asString()).contains("running", "45%");

        Answer broken = get("/mcp/calls?db=incident/broken");
        assertThat(broken.status()).isEqualTo(409);
        assertThat(broken.json().path("error").asString()).contains("failed", "chunk-3 is truncated");

        assertThat(get("/mcp/calls?db=" + q("../../etc/passwd")).status()).isEqualTo(400);
        assertThat(get("/mcp/calls?db=incident").status()).isEqualTo(400);
    }

    @Test
    void badInputIs400WithTheReason() throws Exception {
        Answer syntax = get("/mcp/calls?kfl=" + q("http and (status >= 400"));
        assertThat(syntax.status()).isEqualTo(400);
        assertThat(syntax.json().path("error").asString()).contains("position 23", "expected ')'");

        Answer field = get("/mcp/calls?kfl=" + q("dst.colour == \"red\""));
        assertThat(field.status()).isEqualTo(400);
        assertThat(field.json().path("error").asString()).contains("unknown field 'dst.colour'", "dst.service.name");

        assertThat(get("/mcp/calls?limit=0").status()).isEqualTo(400);
        assertThat(get("/mcp/calls?limit=ten").status()).isEqualTo(400);
        assertThat(get("/mcp/calls?format=xml").status()).isEqualTo(400);
        assertThat(get("/mcp/calls?start=yesterday").status()).isEqualTo(400);
        assertThat(get("/mcp/calls?start=20&end=10").status()).isEqualTo(400);
        Answer regex = get("/mcp/calls?kfl=" + q("path.matches(\"(unclosed\")"));
        assertThat(regex.status()).isEqualTo(400);
        assertThat(regex.json().path("error").asString()).contains("regular expression");
    }

    @Test
    void limitAboveTheMaximumIsCapped() throws Exception {
        assertThat(get("/mcp/calls?limit=5000").status()).isEqualTo(200);
    }

    @Test
    void listedUnderMcp() throws Exception {
        Answer a = get("/mcp");
        assertThat(a.json().path("endpoints").findValuesAsString("path")).contains("/mcp/calls", "/mcp/calls/:id");
    }
}
