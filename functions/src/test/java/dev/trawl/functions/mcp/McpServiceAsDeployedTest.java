package dev.trawl.functions.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.embedded.EmbeddedS3;
import dev.trawl.functions.routes.KnativeManifests;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The functions image with the endpoint groups that knative/base/serving/functions.yaml gives the
 * Knative Service trawl-mcp (its TRAWL_FUNCTIONS, read from the manifest): the MCP server answers
 * at POST /mcp and its tools reach every group.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class McpServiceAsDeployedTest {
    static EmbeddedS3 s3;

    @DynamicPropertySource
    static void asDeployed(DynamicPropertyRegistry registry) throws Exception {
        s3 = EmbeddedS3.startForTest(Files.createTempDirectory("mcp-deployed-s3"));
        s3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
        String groups = KnativeManifests.functionsOf("trawl-mcp");
        registry.add("TRAWL_FUNCTIONS", () -> groups);
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @LocalServerPort
    int port;

    @Test
    void theMcpServiceServesTheMcpServerWithEveryTool() {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp").build())
                .clientInfo(new McpSchema.Implementation("trawl-test", "1"))
                .build();
        try {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name)
                    .contains("get_data_boundaries", "create_snapshot", "start_dissection", "list_api_calls");
            assertThat(client.callTool(new McpSchema.CallToolRequest("list_snapshots", Map.of())).isError()).isFalse();
        } finally {
            client.closeGracefully();
        }
    }
}
