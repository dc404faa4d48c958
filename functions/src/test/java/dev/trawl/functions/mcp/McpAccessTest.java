package dev.trawl.functions.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.access.Secrets;
import dev.trawl.embedded.EmbeddedS3;
import dev.trawl.functions.routes.Role;
import dev.trawl.functions.routes.Route;
import dev.trawl.functions.routes.Routes;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * MCP with tokens, with a real MCP client over Streamable HTTP and over stdio ({@code ./trawl mcp}
 * with {@code TRAWL_API_TOKEN}): {@code tools/list} shows what the caller's role may call, a call
 * beyond it is a tool error naming the role, and no token is an HTTP 401.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class McpAccessTest {
    static final String VIEWER = "trawl_" + Secrets.generate();
    static final String ADMIN = "trawl_" + Secrets.generate();
    static EmbeddedS3 s3;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("mcp-access");
        s3 = EmbeddedS3.startForTest(dir.resolve("s3"));
        s3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, Secrets.sha256Hex(VIEWER) + " viewer dashboards\n" + Secrets.sha256Hex(ADMIN) + " admin root\n");
        registry.add("TRAWL_AUTH", () -> "tokens");
        registry.add("TRAWL_AUTH_TOKENS_FILE", tokens::toString);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    @LocalServerPort
    int port;

    McpSyncClient http(String token) {
        var transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp")
                .customizeRequest(r -> r.header("Authorization", "Bearer " + token)).build();
        McpSyncClient client = McpClient.sync(transport).clientInfo(new McpSchema.Implementation("trawl-test", "1")).build();
        client.initialize();
        return client;
    }

    static Set<String> toolsOf(Role role) {
        return Routes.tools().stream().filter(r -> role.includes(r.role())).map(Route::name).collect(Collectors.toSet());
    }

    @Test
    void aViewerSeesAndCallsOnlyWhatItsRoleAllows() {
        McpSyncClient viewer = http(VIEWER);
        McpSyncClient admin = http(ADMIN);
        try {
            Set<String> seen = viewer.listTools().tools().stream().map(McpSchema.Tool::name).collect(Collectors.toSet());
            assertThat(seen).isEqualTo(toolsOf(Role.VIEWER)).contains("list_snapshots").doesNotContain("delete_snapshot", "export_snapshot_pcap");
            assertThat(admin.listTools().tools()).hasSize(Routes.tools().size());

            var listed = viewer.callTool(new McpSchema.CallToolRequest("list_snapshots", Map.of()));
            assertThat(listed.isError()).as(String.valueOf(listed.content())).isFalse();
            var refused = viewer.callTool(new McpSchema.CallToolRequest("delete_snapshot", Map.of("name", "evidence")));
            assertThat(refused.isError()).isTrue();
            assertThat(((McpSchema.TextContent) refused.content().getFirst()).text()).contains("'admin'");
            var allowed = admin.callTool(new McpSchema.CallToolRequest("delete_snapshot", Map.of("name", "evidence")));
            assertThat(((McpSchema.TextContent) allowed.content().getFirst()).text()).doesNotContain("'admin'").containsIgnoringCase("no such snapshot");
        } finally {
            viewer.closeGracefully();
            admin.closeGracefully();
        }
    }

    @Test
    void withoutATokenMcpIsA401() throws Exception {
        var r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
    }

    @Test
    void theStdioServerSendsTrawlApiToken() {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var params = ServerParameters.builder(java)
                .args("-cp", System.getProperty("java.class.path"), McpStdio.class.getName(), "--api", "http://127.0.0.1:" + port)
                .env(Map.of("TRAWL_API_TOKEN", VIEWER))
                .build();
        McpSyncClient stdio = McpClient.sync(new StdioClientTransport(params, McpJsonDefaults.getMapper()))
                .requestTimeout(Duration.ofSeconds(60)).build();
        try {
            stdio.initialize();
            var listed = stdio.callTool(new McpSchema.CallToolRequest("list_snapshots", Map.of()));
            assertThat(listed.isError()).as(String.valueOf(listed.content())).isFalse();
            var refused = stdio.callTool(new McpSchema.CallToolRequest("delete_snapshot", Map.of("name", "evidence")));
            assertThat(refused.isError()).isTrue();
            assertThat(((McpSchema.TextContent) refused.content().getFirst()).text()).contains("'admin'");
        } finally {
            stdio.closeGracefully();
        }
    }

}
