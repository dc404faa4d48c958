package dev.trawl.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.functions.mcp.McpInspector;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seeds' workflow end to end on the embedded stack, every part real: the capture daemon
 * replays the demo capture as three nodes into S3, the snapshot is cut by the functions, the
 * dissection runs in the dissector after the event router delivered its CloudEvent, and an AI
 * assistant's MCP client (the official Java SDK) drives list databases -> start dissection ->
 * poll -> list the HTTP errors -> get one call. The counts are checked against tshark reading the
 * snapshot's own PCAP export.
 */
class SeedWorkflowTest {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    static final List<String> NODES = List.of("worker-1", "worker-2", "worker-3");

    @TempDir Path dir;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void anAssistantFindsTheIncidentsHttpErrorsThroughMcp() throws Exception {
        Map<String, String> env = Map.of(
                "TRAWL_NODE", NODES.getFirst(),
                "TRAWL_CAPTURE_MODE", "replay",
                "TRAWL_CAPTURE_REPLAY_NODES", String.join(",", NODES),
                "TRAWL_CAPTURE_REPLAY_PACE", "fast",
                "TRAWL_CAPTURE_REPLAY_LOOP", "false",
                "TRAWL_CAPTURE_ROTATE_SECONDS", "10",
                "TRAWL_CAPTURE_METRICS_PORT", "0");
        var options = LocalStack.Options.forTest(dir).withCapture(true).withEnv(env::get);
        try (LocalStack stack = LocalStack.start(options)) {
            assertThat(stack.problems()).isEmpty();
            String api = stack.apiUrl().toString();

            // the replayed capture's packets are stamped from "now" on: wait until all of it is in the past
            JsonNode boundaries = awaitJson(api + "/mcp/data-boundaries", b -> b.path("nodes").size() == NODES.size()
                    && b.path("cluster").path("newest_ts").asLong() < System.currentTimeMillis() - 2_000, Duration.ofMinutes(3));
            assertThat(boundaries.path("cluster").path("oldest_ts").asLong()).isPositive();

            JsonNode created = post(api + "/mcp/snapshots", Map.of("name", "incident-001", "duration", "30m"), 200);
            assertThat(created.path("status").asString()).isEqualTo("in_progress");
            JsonNode snapshot = awaitJson(api + "/mcp/snapshots/incident-001", s -> !"in_progress".equals(s.path("status").asString()), Duration.ofMinutes(2));
            assertThat(snapshot.path("status").asString()).as(snapshot.toString()).isEqualTo("completed");
            assertThat(snapshot.path("node_count").asInt()).isEqualTo(NODES.size());

            Path export = dir.resolve("incident-001.pcap");
            HttpResponse<Path> pcap = http.send(HttpRequest.newBuilder(URI.create(api + "/mcp/snapshots/incident-001/pcap")).build(),
                    HttpResponse.BodyHandlers.ofFile(export));
            assertThat(pcap.statusCode()).isEqualTo(200);
            assertThat(pcap.headers().firstValue("Content-Type")).hasValue("application/vnd.tcpdump.pcap");
            assertThat(tshark(export, "frame").size()).isEqualTo(snapshot.path("packet_count").asInt());
            // tshark is the oracle per node: merged, the nodes' copies of one connection would look
            // like retransmissions to it, while trawl dissects each node's traffic on its own
            int tsharkErrors = 0;
            for (String node : NODES) {
                Path nodeExport = dir.resolve(node + ".pcap");
                HttpResponse<Path> one = http.send(HttpRequest.newBuilder(URI.create(api + "/mcp/snapshots/incident-001/pcap?nodes=" + node)).build(),
                        HttpResponse.BodyHandlers.ofFile(nodeExport));
                assertThat(one.statusCode()).isEqualTo(200);
                tsharkErrors += tshark(nodeExport, "http.response.code >= 400").size();
            }
            assertThat(tsharkErrors).as("the demo capture has HTTP errors in it").isPositive();

            McpSyncClient assistant = McpClient.sync(HttpClientStreamableHttpTransport.builder(api).endpoint("/mcp").build())
                    .requestTimeout(Duration.ofSeconds(60))
                    .build();
            try {
                assistant.initialize();
                Map<String, Object> databases = call(assistant, "list_databases", Map.of());
                assertThat(databases).containsKey("databases");

                Map<String, Object> started = call(assistant, "start_dissection", Map.of("snapshot", "incident-001", "name", "analysis"));
                assertThat(started).containsEntry("status", "pending");

                Map<String, Object> status = started;
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
                while (!List.of("completed", "failed", "cancelled").contains(String.valueOf(status.get("status")))) {
                    assertThat(System.nanoTime()).as("dissection finished in time: " + status).isLessThan(deadline);
                    Thread.sleep(1_000);
                    status = call(assistant, "get_dissection", Map.of("snapshot", "incident-001", "name", "analysis"));
                }
                assertThat(status.get("status")).as(status.toString()).isEqualTo("completed");
                assertThat(status.get("progress")).isEqualTo(100);

                Map<String, Object> errors = call(assistant, "list_api_calls",
                        Map.of("db", "incident-001/analysis", "kfl", "http and status >= 400", "limit", 1000));
                List<?> calls = (List<?>) errors.get("calls");
                assertThat(((Number) errors.get("total")).intValue()).isEqualTo(tsharkErrors);
                assertThat(calls).hasSize(tsharkErrors);
                for (Object c : calls) {
                    Map<?, ?> one = (Map<?, ?>) c;
                    assertThat(((Number) one.get("status")).intValue()).isGreaterThanOrEqualTo(400);
                    assertThat(one.get("proto")).isEqualTo("http");
                }

                // the same question from outside the JVM, through the npm MCP inspector's command line
                if (McpInspector.available()) {
                    String viaInspector = McpInspector.run(api + "/mcp", "--method", "tools/call", "--tool-name", "list_api_calls",
                            "--tool-arg", "db=incident-001/analysis", "kfl=http and status >= 400", "limit=1000");
                    assertThat(viaInspector).contains("\"total\": " + tsharkErrors);
                }

                Map<?, ?> first = (Map<?, ?>) calls.getFirst();
                Map<String, Object> details = call(assistant, "get_api_call", Map.of("id", first.get("id"), "db", "incident-001/analysis"));
                assertThat(details.toString()).contains(String.valueOf(first.get("path")));

                Map<String, Object> afterwards = call(assistant, "list_databases", Map.of());
                assertThat(afterwards.toString()).contains("incident-001", "analysis", "completed");
            } finally {
                assistant.closeGracefully();
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> call(McpSyncClient client, String tool, Map<String, Object> args) {
        CallToolResult result = client.callTool(new McpSchema.CallToolRequest(tool, args));
        assertThat(result.isError()).as(tool + ": " + result.content()).isFalse();
        return (Map<String, Object>) result.structuredContent();
    }

    JsonNode awaitJson(String url, java.util.function.Predicate<JsonNode> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                last = JSON.readTree(r.body());
                if (done.test(last)) return last;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("timed out waiting on " + url + "; last answer: " + last);
    }

    JsonNode post(String url, Object body, int expected) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
        return JSON.readTree(r.body());
    }

    static List<String> tshark(Path file, String filter) throws Exception {
        Process p = new ProcessBuilder("tshark", "-n", "-r", file.toString(), "-Y", filter, "-T", "fields", "-e", "frame.number")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().filter(l -> !l.isBlank()).toList();
        assertThat(p.waitFor()).isZero();
        return lines;
    }

}
