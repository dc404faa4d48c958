package dev.trawl.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The whole local stack on free ports: it serves, stops, and a second start finds the data. */
class LocalStackTest {
    @TempDir Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    String clickhouse(LocalStack stack, String sql) throws Exception {
        HttpResponse<String> r = clickhouseAs(stack, "default", stack.lookup().apply("TRAWL_CLICKHOUSE_PASSWORD"), sql);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    HttpResponse<String> clickhouseAs(LocalStack stack, String user, String password, String sql) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(stack.clickHouseUrl() + "/?query="
                + URLEncoder.encode(sql, StandardCharsets.UTF_8))).header("X-ClickHouse-User", user).header("X-ClickHouse-Key", password)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRestartOnTheSameDataDirectoryFindsObjectsAndTables() throws Exception {
        Path registry = dir.resolveSibling(dir.getFileName() + "-stacks");
        var withRegistry = LocalStack.Options.forTest(dir).withEnv(name -> name.equals("TRAWL_STACKS_DIR") ? registry.toString() : System.getenv(name));
        var stacks = dev.trawl.core.LocalStacks.from(name -> name.equals("TRAWL_STACKS_DIR") ? registry.toString() : null);
        try (LocalStack stack = LocalStack.start(withRegistry)) {
            // other stacks' captures on this host leave out every port this one listens on
            assertThat(stacks.ports()).containsAll(stack.ownPorts()).contains(stack.clickHouse().port(), stack.s3().endpoint().getPort());
            try (S3Client s3 = stack.s3().client()) {
                s3.putObject(b -> b.bucket("trawl").key("raw/node-1/1-2.pcap"), RequestBody.fromString("pcap bytes"));
            }
            clickhouse(stack, "CREATE TABLE kept (n UInt32) ENGINE = MergeTree ORDER BY n");
            clickhouse(stack, "INSERT INTO kept SELECT number FROM numbers(1000)");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/health")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/mcp")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(stack.lookup().apply("K_SINK")).isEqualTo(stack.router().url().toString());
            assertThat(stack.lookup().apply("TRAWL_S3_ENDPOINT")).isEqualTo(stack.s3().endpoint().toString());

            // the analysts' login reads, and only reads; every login needs the password generated for it
            String analystPassword = stack.lookup().apply("TRAWL_CLICKHOUSE_ANALYST_PASSWORD");
            assertThat(clickhouseAs(stack, "analyst", analystPassword, "SELECT count() FROM kept").statusCode()).isEqualTo(200);
            HttpResponse<String> write = clickhouseAs(stack, "analyst", analystPassword, "INSERT INTO kept VALUES (1)");
            assertThat(write.statusCode()).isNotEqualTo(200);
            assertThat(write.body()).containsIgnoringCase("readonly");
            assertThat(clickhouseAs(stack, "analyst", "", "SELECT 1").statusCode()).isEqualTo(401);
            assertThat(clickhouseAs(stack, "default", "", "SELECT 1").statusCode()).isEqualTo(401);
            // the passwords are kept where only their owner reads them, and never printed
            Path secrets = dir.resolve("secrets.env");
            assertThat(Files.readString(secrets)).contains("TRAWL_CLICKHOUSE_PASSWORD=" + stack.lookup().apply("TRAWL_CLICKHOUSE_PASSWORD"));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            ByteArrayOutputStream summary = new ByteArrayOutputStream();
            stack.printSummary(new PrintStream(summary, true, StandardCharsets.UTF_8));
            assertThat(summary.toString(StandardCharsets.UTF_8)).contains(secrets.toString())
                    .doesNotContain(analystPassword).doesNotContain(stack.lookup().apply("TRAWL_CLICKHOUSE_PASSWORD"));
        }
        assertThat(stacks.ports()).isEmpty();
        try (LocalStack stack = LocalStack.start(LocalStack.Options.forTest(dir))) {
            try (S3Client s3 = stack.s3().client()) {
                assertThat(s3.getObjectAsBytes(b -> b.bucket("trawl").key("raw/node-1/1-2.pcap")).asUtf8String()).isEqualTo("pcap bytes");
            }
            assertThat(clickhouse(stack, "SELECT count(), sum(n) FROM kept")).isEqualTo("1000\t499500\n");
        }
    }

    @Test
    void slowSocketsOnTheApiAndClickHouseStopNobodyElse() throws Exception {
        try (LocalStack stack = LocalStack.start(LocalStack.Options.forTest(dir))) {
            List<Socket> slow = new ArrayList<>();
            try {
                // half a request head each, held open: 32 on the API, 32 on the ClickHouse front
                for (URI target : List.of(stack.apiUrl(), URI.create(stack.clickHouseUrl()))) {
                    for (int i = 0; i < 32; i++) {
                        Socket s = new Socket(target.getHost(), target.getPort());
                        s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ".getBytes(StandardCharsets.US_ASCII));
                        s.getOutputStream().flush();
                        slow.add(s);
                    }
                }
                var timeout = java.time.Duration.ofSeconds(60);
                assertThat(http.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/health")).timeout(timeout).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                assertThat(http.send(HttpRequest.newBuilder(URI.create(stack.clickHouseUrl() + "/ping")).timeout(timeout).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("Ok.\n");
                HttpResponse<String> databases = http.send(HttpRequest.newBuilder(URI.create(stack.apiUrl() + "/mcp/databases")).timeout(timeout).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(databases.statusCode()).as(databases.body()).isEqualTo(200);
            } finally {
                for (Socket s : slow) s.close();
            }
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
