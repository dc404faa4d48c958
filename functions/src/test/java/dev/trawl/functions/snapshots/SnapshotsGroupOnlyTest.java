package dev.trawl.functions.snapshots;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.embedded.EmbeddedS3;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The image as the cluster's snapshots Service runs it ({@code TRAWL_FUNCTIONS=snapshots}): its routes and nothing else. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "TRAWL_FUNCTIONS=snapshots")
class SnapshotsGroupOnlyTest {
    static final EmbeddedS3 S3;

    static {
        try {
            S3 = EmbeddedS3.startForTest(Files.createTempDirectory("snapshots-only"));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) {
        S3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
    }

    @AfterAll
    static void stop() throws Exception {
        S3.close();
    }

    @LocalServerPort
    int port;

    HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesTheSnapshotRoutesOnly() throws Exception {
        var list = get("/mcp/snapshots");
        assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
        assertThat(list.body()).isEqualTo("{\"snapshots\":[]}");
        var index = get("/mcp");
        assertThat(index.body()).contains("/mcp/snapshots/:name/pcap").doesNotContain("/mcp/raw-capture");
        var other = get("/mcp/raw-capture");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.body()).contains("\"success\":false");
        assertThat(get("/mcp/snapshots/none").statusCode()).isEqualTo(404);
    }
}
