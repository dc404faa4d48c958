package dev.trawl.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The embedded ClickHouse as an attacker on this machine finds it: every statement that would
 * reach a file, a URL or another host is refused for {@code default} and for the read-only
 * {@code analyst}, by GET and by POST, and none of them has any effect (the secret file's text
 * never comes back, no file is written, the listening socket standing in for every remote host
 * is never connected to).
 */
class ClickHouseSandboxTest {
    static final String DEFAULT_PASSWORD = "default-secret";
    static final String ANALYST_PASSWORD = "analyst-secret";
    static final String SECRET = "trawl-sandbox-secret-line";

    @TempDir static Path dir;
    static Path outside;
    static EmbeddedClickHouse clickhouse;
    static ServerSocket remoteHost;
    static final AtomicInteger remoteConnections = new AtomicInteger();
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    @BeforeAll
    static void start() throws Exception {
        outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET + "\n");
        clickhouse = EmbeddedClickHouse.startForTest(dir.resolve("clickhouse"));
        clickhouse.front().addUser(new ClickHouseHttpFront.User("default", DEFAULT_PASSWORD, false));
        clickhouse.front().addUser(new ClickHouseHttpFront.User("analyst", ANALYST_PASSWORD, true));
        remoteHost = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!remoteHost.isClosed()) {
                try (Socket s = remoteHost.accept()) {
                    remoteConnections.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        assertThat(post("default", DEFAULT_PASSWORD, "", "CREATE TABLE sandbox_t (line String) ENGINE = Memory").statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() throws IOException {
        clickhouse.close();
        remoteHost.close();
    }

    /** The escapes: each reads the secret file, writes under {@code outside}, or connects to the remote host. */
    static List<String> escapes() {
        String f = outside.resolve("secret.txt").toString();
        String w = outside.resolve("written").toString();
        String u = "http://127.0.0.1:" + remoteHost.getLocalPort() + "/x";
        String hostPort = "127.0.0.1:" + remoteHost.getLocalPort();
        return List.of(
                "SELECT * FROM file('" + f + "', 'LineAsString')",
                "select * from FILE('" + f + "', 'LineAsString')",
                "SELECT * FROM /* a comment */ `file`('" + f + "', 'LineAsString')",
                "SELECT * FROM \"file\"('" + f + "', 'LineAsString')",
                "SELECT * FROM\n-- a line comment\nfile /* inside */ ('" + f + "', 'LineAsString')",
                "DESC file('" + f + "', 'LineAsString')",
                "DESCRIBE TABLE url('" + u + "', 'LineAsString')",
                "SELECT * FROM (SELECT * FROM (SELECT * FROM file('" + f + "', 'LineAsString')))",
                "WITH t AS (SELECT * FROM url('" + u + "', 'LineAsString')) SELECT * FROM t",
                "SELECT 1 WHERE '" + SECRET + "' IN (SELECT * FROM file('" + f + "', 'LineAsString'))",
                "SELECT * FROM system.one AS a JOIN file('" + f + "', 'LineAsString') AS b ON 1 = 1",
                "EXPLAIN SELECT * FROM file('" + f + "', 'LineAsString')",
                "EXPLAIN AST SELECT * FROM file('" + f + "', 'LineAsString')",
                "SELECT file('" + f + "')",
                "SELECT * FROM s3('" + u + "', 'LineAsString')",
                "SELECT * FROM remote('" + hostPort + "', system.one)",
                "SELECT * FROM mysql('" + hostPort + "', 'db', 't', 'u', 'p')",
                "SELECT * FROM postgresql('" + hostPort + "', 'db', 't', 'u', 'p')",
                "SELECT * FROM hdfs('hdfs://" + hostPort + "/x', 'LineAsString')",
                "SELECT * FROM urlCluster('default', '" + u + "', 'LineAsString')",
                "SELECT * FROM executable('cat " + f + "', 'LineAsString', 'line String')",
                "INSERT INTO FUNCTION file('" + w + "', 'LineAsString') SELECT 'x'",
                "INSERT INTO FUNCTION url('" + u + "', 'LineAsString') SELECT 'x'",
                "INSERT INTO FUNCTION file('" + w + "', 'LineAsString') FORMAT LineAsString\nx\n",
                "SELECT 1 INTO OUTFILE '" + w + "'",
                "SELECT 1 INTO OUTFILE '" + w + "' FORMAT CSV",
                "INSERT INTO sandbox_t FROM INFILE '" + f + "' FORMAT LineAsString",
                "INSERT INTO sandbox_t VALUES ('a'), (file('" + f + "'))",
                "INSERT INTO sandbox_t SELECT * FROM file('" + f + "', 'LineAsString')",
                "CREATE TABLE esc_file (line String) ENGINE = File(LineAsString, '" + w + "')",
                "CREATE TABLE esc_url AS url('" + u + "', 'LineAsString')",
                "CREATE TABLE esc_select ENGINE = Memory AS SELECT * FROM file('" + f + "', 'LineAsString')",
                "CREATE VIEW esc_view AS SELECT * FROM file('" + f + "', 'LineAsString')",
                "CREATE TABLE esc_disk (line String) ENGINE = MergeTree ORDER BY line SETTINGS disk = disk(type = 'local', path = '" + w + "/')",
                "CREATE DICTIONARY esc_dict (line String) PRIMARY KEY line SOURCE(FILE(path '" + f + "' format 'LineAsString')) LAYOUT(FLAT()) LIFETIME(0)",
                "CREATE DATABASE esc_fs ENGINE = Filesystem('" + outside + "')",
                "ATTACH TABLE esc_attach FROM '" + outside + "' (line String) ENGINE = Memory",
                "BACKUP TABLE sandbox_t TO File('" + w + "')",
                "SELECT * FROM system.one SETTINGS format_template_row = '" + f + "'",
                "SET dialect = 'prql'");
    }

    static Stream<String> users() {
        return Stream.of("default", "analyst");
    }

    @ParameterizedTest
    @MethodSource("users")
    void everyEscapeIsRefusedByGetAndPost(String user) throws Exception {
        String password = user.equals("default") ? DEFAULT_PASSWORD : ANALYST_PASSWORD;
        List<String> answered = new ArrayList<>();
        for (String sql : escapes()) {
            for (HttpResponse<String> r : List.of(get(user, password, "", sql), post(user, password, "", sql))) {
                String code = r.headers().firstValue("X-ClickHouse-Exception-Code").orElse("none");
                if (r.statusCode() == 200 || !(code.equals("497") || code.equals("164")) || r.body().contains(SECRET)) {
                    answered.add(r.request().method() + " " + sql + " -> " + r.statusCode() + " code " + code + ": " + r.body());
                }
            }
        }
        assertThat(answered).isEmpty();
        assertThat(Files.exists(outside.resolve("written"))).isFalse();
        assertThat(remoteConnections.get()).isZero();
    }

    @Test
    void settingsAndParametersDoNotOpenAWayOut() throws Exception {
        String f = outside.resolve("secret.txt").toString();
        // a query parameter is bound by the engine: a path passed as one is still a file()
        HttpResponse<String> param = get("default", DEFAULT_PASSWORD, "param_p=" + enc(f) + "&",
                "SELECT * FROM file({p:String}, 'LineAsString')");
        assertThat(param.statusCode()).isEqualTo(403);
        // another dialect would be parsed differently from the tree checked here
        HttpResponse<String> dialect = post("default", DEFAULT_PASSWORD, "dialect=kusto&", "file('" + f + "')");
        assertThat(dialect.statusCode()).isEqualTo(403);
        assertThat(dialect.body()).doesNotContain(SECRET);
        HttpResponse<String> session = post("default", DEFAULT_PASSWORD, "session_id=sandbox&", "SET format_schema = '" + f + ":M'");
        assertThat(session.statusCode()).isEqualTo(403);
    }

    @Test
    void theEnginesOwnTablesStillWork() throws Exception {
        assertThat(post("default", DEFAULT_PASSWORD, "", "CREATE TABLE own (n UInt64, s String) ENGINE = MergeTree ORDER BY n SETTINGS index_granularity = 1024").statusCode()).isEqualTo(200);
        assertThat(post("default", DEFAULT_PASSWORD, "", "INSERT INTO own SELECT number, toString(number) FROM numbers(10)").statusCode()).isEqualTo(200);
        assertThat(post("default", DEFAULT_PASSWORD, "", "INSERT INTO own FORMAT CSV\n10,\"ten\"\n").statusCode()).isEqualTo(200);
        assertThat(post("default", DEFAULT_PASSWORD, "", "CREATE VIEW own_view AS SELECT n FROM own WHERE n > 5").statusCode()).isEqualTo(200);
        assertThat(get("analyst", ANALYST_PASSWORD, "", "WITH x AS (SELECT n FROM own_view) SELECT count() FROM x").body()).isEqualTo("5\n");
        assertThat(get("analyst", ANALYST_PASSWORD, "", "SELECT sum(number) FROM numbers(5)").body()).isEqualTo("10\n");
        assertThat(get("analyst", ANALYST_PASSWORD, "", "SELECT log(1), format('{}-{}', 'a', 'b')").body()).isEqualTo("0\ta-b\n");
        assertThat(get("analyst", ANALYST_PASSWORD, "", "DESCRIBE TABLE own").body()).startsWith("n\tUInt64");
        assertThat(get("analyst", ANALYST_PASSWORD, "", "SELECT count() FROM merge(currentDatabase(), '^own$')").body()).isEqualTo("11\n");
    }

    @Test
    void getOnlyReadsAndEveryUserNeedsItsPassword() throws Exception {
        HttpResponse<String> write = get("default", DEFAULT_PASSWORD, "", "CREATE TABLE by_get (x UInt8) ENGINE = Memory");
        assertThat(write.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("164");
        assertThat(get("default", "", "", "SELECT 1").statusCode()).isEqualTo(401);
        assertThat(get("analyst", "", "", "SELECT 1").statusCode()).isEqualTo(401);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(clickhouse.url() + "/?query=SELECT+1")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
        assertThat(get("analyst", ANALYST_PASSWORD, "", "SELECT 1").body()).isEqualTo("1\n");
    }

    @Test
    void aForeignHostHeaderIsRefused() throws Exception {
        assertThat(rawRequest("evil.example:8123")).startsWith("HTTP/1.1 403");
        assertThat(rawRequest("127.0.0.1:" + clickhouse.port())).startsWith("HTTP/1.1 200");
        assertThat(rawRequest("localhost")).startsWith("HTTP/1.1 200");
    }

    @Test
    void slowSocketsDoNotStopOthers() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 32; i++) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), clickhouse.port());
                s.getOutputStream().write("GET /?query=SELECT+1 HTTP/1.1\r\nHost: loc".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                slow.add(s);
            }
            HttpRequest ping = HttpRequest.newBuilder(URI.create(clickhouse.url() + "/ping")).timeout(Duration.ofSeconds(60)).build();
            assertThat(http.send(ping, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("Ok.\n");
            assertThat(get("analyst", ANALYST_PASSWORD, "", "SELECT 41 + 1").body()).isEqualTo("42\n");
        } finally {
            for (Socket s : slow) s.close();
        }
    }

    private static String rawRequest(String host) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), clickhouse.port())) {
            s.setSoTimeout(60_000);
            String auth = Base64.getEncoder().encodeToString(("analyst:" + ANALYST_PASSWORD).getBytes(StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            out.write(("GET /?query=SELECT+1 HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Basic " + auth
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static HttpResponse<String> get(String user, String password, String params, String sql) throws Exception {
        return http.send(request(user, password, params + "query=" + enc(sql)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String user, String password, String params, String sql) throws Exception {
        return http.send(request(user, password, params).POST(HttpRequest.BodyPublishers.ofString(sql)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder request(String user, String password, String query) {
        return HttpRequest.newBuilder(URI.create(clickhouse.url() + "/?" + query))
                .timeout(Duration.ofSeconds(120))
                .header("X-ClickHouse-User", user).header("X-ClickHouse-Key", password);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
