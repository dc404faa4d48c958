package dev.trawl.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The whole local stack on free ports: it serves, stops, and a second start finds the data. */
class LocalStackTest {
    @TempDir Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    String clickhouse(LocalStack stack, String sql) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.clickHouseUrl() + "/?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8))).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    HttpResponse<String> clickhouseAs(LocalStack stack, String user, String sql) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(stack.clickHouseUrl() + "/?user=" + user + "&query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8))).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRestartOnTheSameDataDirectoryFindsObjectsAndTables() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStack.Options.forTest(dir))) {
            try (S3Client s3 = stack.s3().client()) {
                s3.putObject(b -> b.bucket("trawl").key("raw/node-1/1-2.pcap"), RequestBody.fromString("pcap bytes"));
            }
            clickhouse(stack, "CREATE TABLE kept (n UInt32) ENGINE = MergeTree ORDER BY n");
            clickhouse(stack, "INSERT INTO kept SELECT number FROM numbers(1000)");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/mcp")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(stack.lookup().apply("K_SINK")).isEqualTo(stack.router().url().toString());
            assertThat(stack.lookup().apply("TRAWL_S3_ENDPOINT")).isEqualTo(stack.s3().endpoint().toString());

            // each app's Prometheus endpoint, on its own management port, as ./trawl up prints it
            assertThat(stack.metricsUrls()).containsOnlyKeys("API", "Dissector");
            stack.metricsUrls().forEach((app, url) -> {
                try {
                    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(metrics.statusCode()).as(app).isEqualTo(200);
                    assertThat(metrics.body()).as(app).contains("jvm_memory_used_bytes");
                } catch (Exception e) {
                    throw new AssertionError(app + " " + url, e);
                }
            });

            // the analysts' login reads, and only reads
            assertThat(clickhouseAs(stack, "analyst", "SELECT count() FROM kept").statusCode()).isEqualTo(200);
            HttpResponse<String> write = clickhouseAs(stack, "analyst", "INSERT INTO kept VALUES (1)");
            assertThat(write.statusCode()).isNotEqualTo(200);
            assertThat(write.body()).containsIgnoringCase("readonly");
        }
        try (LocalStack stack = LocalStack.start(LocalStack.Options.forTest(dir))) {
            try (S3Client s3 = stack.s3().client()) {
                assertThat(s3.getObjectAsBytes(b -> b.bucket("trawl").key("raw/node-1/1-2.pcap")).asUtf8String()).isEqualTo("pcap bytes");
            }
            assertThat(clickhouse(stack, "SELECT count(), sum(n) FROM kept")).isEqualTo("1000\t499500\n");
        }
    }

    @Test
    void withTrawlClickHouseUrlNoChdbIsStartedAndThatServerIsUsed() throws Exception {
        String external = "http://127.0.0.1:1";
        var options = LocalStack.Options.forTest(dir).withEnv(name -> name.equals("TRAWL_CLICKHOUSE_URL") ? external : null);
        try (LocalStack stack = LocalStack.start(options)) {
            assertThat(stack.clickHouse()).isNull();
            assertThat(stack.lookup().apply("TRAWL_CLICKHOUSE_URL")).isEqualTo(external);
        }
    }
}
