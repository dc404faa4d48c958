package dev.trawl.functions.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.embedded.EmbeddedS3;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.ProtocolVersions;
import java.net.URI;
import java.time.Duration;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The MCP server over Streamable HTTP, driven by the official Java SDK client against the real
 * functions app on a real (embedded) S3: tools, schemas, hints, structured output and tool errors.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class McpServerTest {
    static EmbeddedS3 s3;

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) throws Exception {
        s3 = EmbeddedS3.startForTest(Files.createTempDirectory("mcp-s3"));
        s3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @LocalServerPort
    int port;

    McpSyncClient client;

    @BeforeEach
    void connect() {
        client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp").build())
                .clientInfo(new McpSchema.Implementation("trawl-test", "1"))
                .build();
        client.initialize();
    }

    @AfterEach
    void close() {
        client.closeGracefully();
    }

    @Test
    void listsOneToolPerEndpointWithSchemasAndHints() {
        List<McpSchema.Tool> tools = client.listTools().tools();
        Set<String> names = tools.stream().map(McpSchema.Tool::name).collect(Collectors.toSet());
        assertThat(names).containsExactlyInAnyOrder(
                "get_raw_capture_status", "get_data_boundaries", "list_snapshots", "create_snapshot", "get_snapshot",
                "delete_snapshot", "export_snapshot_pcap", "verify_snapshot", "list_workloads", "list_ips", "list_databases", "start_dissection", "list_dissections",
                "get_dissection", "stop_dissection", "delete_dissection", "list_api_calls", "get_api_call", "get_api_stats", "list_l4_flows", "get_l4_flow_summary");
        Map<String, McpSchema.Tool> byName = tools.stream().collect(Collectors.toMap(McpSchema.Tool::name, t -> t));
        for (String destructive : List.of("delete_snapshot", "delete_dissection", "stop_dissection")) {
            assertThat(byName.get(destructive).annotations().destructiveHint()).as(destructive).isTrue();
            assertThat(byName.get(destructive).annotations().readOnlyHint()).as(destructive).isFalse();
        }
        assertThat(byName.get("list_api_calls").annotations().readOnlyHint()).isTrue();
        assertThat(byName.get("create_snapshot").inputSchema().required()).containsExactly("name");
        assertThat(byName.get("create_snapshot").inputSchema().properties()).containsKeys("duration", "start_ts", "end_ts", "nodes");
        assertThat(byName.get("list_api_calls").description()).contains("http and status >= 400", "db=\"<snapshot>/<dissection>\"");
        tools.forEach(t -> assertThat(t.description()).as(t.name()).hasSizeGreaterThan(80)
                .as(t.name() + ": words run together where a text block lost a space").doesNotContainPattern("[a-z]:[a-z]"));
        // what a model may expect of each answer; the SDK holds every answer to it
        tools.forEach(t -> assertThat(t.outputSchema()).as(t.name()).containsEntry("type", "object").containsKey("required"));
    }

    @Test
    void aToolAnswersWithTheApisStructuredContent() {
        CallToolResult result = client.callTool(new McpSchema.CallToolRequest("list_snapshots", Map.of()));
        assertThat(result.isError()).isFalse();
        assertThat(result.structuredContent()).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) result.structuredContent()).containsKey("snapshots")).isTrue();
    }

    @Test
    void anUnknownSnapshotIsAToolErrorThatSaysWhatToDoNext() {
        CallToolResult result = client.callTool(new McpSchema.CallToolRequest("get_snapshot", Map.of("name", "no-such-snapshot")));
        assertThat(result.isError()).isTrue();
        String text = ((McpSchema.TextContent) result.content().getFirst()).text();
        assertThat(text).contains("no-such-snapshot").contains("list_snapshots");
    }

    @Test
    void aNameCannotAddAPathSegment() {
        CallToolResult result = client.callTool(new McpSchema.CallToolRequest("get_snapshot", Map.of("name", "../dissections")));
        assertThat(result.isError()).isTrue();
        assertThat(((McpSchema.TextContent) result.content().getFirst()).text()).doesNotContain("\"dissections\":");
    }

    @Test
    void theNpmInspectorListsAndCallsTheTools() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(McpInspector.available(), "npm and " + McpInspector.PACKAGE + " are needed");
        String url = "http://127.0.0.1:" + port + "/mcp";
        String tools = McpInspector.run(url, "--method", "tools/list");
        assertThat(tools).contains("\"export_snapshot_pcap\"", "\"destructiveHint\": true", "\"inputSchema\"", "\"outputSchema\"")
                .as("the inspector's check of how portable the schemas are").doesNotContainPattern("[1-9][0-9]* (error|warning)s?\\b");
        String called = McpInspector.run(url, "--method", "tools/call", "--tool-name", "get_snapshot", "--tool-arg", "name=missing-one");
        assertThat(called).contains("\"isError\": true", "list_snapshots");
    }

    @Test
    void theStdioServerDrivesARunningTrawl() {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var params = io.modelcontextprotocol.client.transport.ServerParameters.builder(java)
                .args("-cp", System.getProperty("java.class.path"), McpStdio.class.getName(), "--api", "http://127.0.0.1:" + port)
                .build();
        McpSyncClient stdio = McpClient.sync(new io.modelcontextprotocol.client.transport.StdioClientTransport(params,
                        io.modelcontextprotocol.json.McpJsonDefaults.getMapper()))
                .requestTimeout(Duration.ofSeconds(60))
                .build();
        try {
            stdio.initialize();
            assertThat(stdio.listTools().tools()).hasSize(dev.trawl.functions.routes.Routes.tools().size());
            CallToolResult result = stdio.callTool(new McpSchema.CallToolRequest("list_snapshots", Map.of()));
            assertThat(result.isError()).as(String.valueOf(result.content())).isFalse();
            assertThat(((Map<?, ?>) result.structuredContent()).containsKey("snapshots")).isTrue();
        } finally {
            stdio.closeGracefully();
        }
    }

    @Test
    void theStdioServerSpeaksTheCurrentProtocolAndExitsWhenTheAssistantHangsUp() throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process server = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), McpStdio.class.getName(),
                "--api", "http://127.0.0.1:" + port)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            var in = server.outputWriter(StandardCharsets.UTF_8);
            in.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                    + ProtocolVersions.MCP_2025_11_25
                    + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}\n");
            in.flush();
            String answer = server.inputReader(StandardCharsets.UTF_8).readLine();
            assertThat(answer).contains("\"protocolVersion\":\"" + ProtocolVersions.MCP_2025_11_25 + "\"");
            in.close(); // what an assistant does first to stop a stdio server
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("the server exits at the end of its input").isTrue();
            assertThat(server.exitValue()).isZero();
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void theStdioServerIsToldWhereTrawlRuns() {
        assertThat(McpStdio.apiUrl(new String[0], null)).isEqualTo("http://127.0.0.1:8898");
        assertThat(McpStdio.apiUrl(new String[0], "http://gateway:80")).isEqualTo("http://gateway:80");
        assertThat(McpStdio.apiUrl(new String[] {"--port-offset", "600"}, "http://gateway:80")).isEqualTo("http://127.0.0.1:9498");
        assertThat(McpStdio.apiUrl(new String[] {"--api", "http://h:1"}, null)).isEqualTo("http://h:1");
        assertThatThrownBy(() -> McpStdio.apiUrl(new String[] {"--port", "600"}, null))
                .hasMessageContaining("unknown option '--port'");
        assertThatThrownBy(() -> McpStdio.apiUrl(new String[] {"--port-offset", "six"}, null))
                .hasMessageContaining("needs a number");
    }

    HttpResponse<String> postJsonRpc(String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
                        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aCallTheServerCannotReadIsAJsonRpcErrorWithoutAStackTrace() throws Exception {
        HttpResponse<String> answer = postJsonRpc("""
                {"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_snapshot","arguments":"incident-001"}}""");
        assertThat(answer.body()).startsWith("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":")
                .doesNotContain("stackTrace", "className");
    }

    @Test
    void theInitializedNotificationIsAcceptedWithoutAWarning() throws Exception {
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.modelcontextprotocol.server");
        var events = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        events.start();
        logger.addAppender(events);
        try {
            assertThat(postJsonRpc("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode()).isEqualTo(202);
            assertThat(postJsonRpc("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/no-such-thing\"}").statusCode()).isEqualTo(202);
        } finally {
            logger.detachAppender(events);
        }
        assertThat(events.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .noneMatch(m -> m.contains("notifications/initialized"))
                .anyMatch(m -> m.contains("notifications/no-such-thing"));
    }

    @Test
    void aPlainGetStillListsTheRestEndpoints() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("/mcp/snapshots").contains("\"POST\"");
        HttpResponse<String> stream = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp")).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(stream.statusCode()).as("a stateless MCP server offers no event stream").isEqualTo(405);
    }

}
