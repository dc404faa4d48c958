package dev.trawl.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP front against real clients: plain HTTP (as curl), the stock JDBC driver, client-v2. */
class ClickHouseHttpFrontTest {
    @TempDir static Path dir;
    static EmbeddedClickHouse clickhouse;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        clickhouse = EmbeddedClickHouse.startForTest(dir);
    }

    @AfterAll
    static void stop() {
        clickhouse.close();
    }

    static HttpResponse<String> get(String query) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(clickhouse.url() + "/?" + query)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String query, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(clickhouse.url() + "/?" + query))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String q(String sql) {
        return "query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8);
    }

    @Test
    void answersLikeAServerToCurl() throws Exception {
        HttpResponse<String> r = get("query=SELECT+version()");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(clickhouse.engine().query("SELECT version()").text()).matches("\\d+\\.\\d+\\.\\d+.*\n");
        assertThat(r.headers().firstValue("X-ClickHouse-Timezone")).isPresent();
        assertThat(r.headers().firstValue("X-ClickHouse-Format")).hasValue("TabSeparated");
        assertThat(r.headers().firstValue("X-ClickHouse-Summary")).hasValueSatisfying(s -> assertThat(s).contains("\"read_rows\""));
        assertThat(get("").body()).isEqualTo("Ok.\n");
        assertThat(http.send(HttpRequest.newBuilder(URI.create(clickhouse.url() + "/ping")).build(), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("Ok.\n");
    }

    @Test
    void queryInTheBodyAndFormatsAsAsked() throws Exception {
        HttpResponse<String> r = post("default_format=JSONEachRow", "SELECT toUInt8(number) AS n FROM numbers(2)".getBytes(StandardCharsets.UTF_8));
        assertThat(r.body()).isEqualTo("{\"n\":0}\n{\"n\":1}\n");
        assertThat(r.headers().firstValue("X-ClickHouse-Format")).hasValue("JSONEachRow");
        HttpResponse<String> csv = post("", "SELECT 'a' AS x, 1 AS y FORMAT CSVWithNames".getBytes(StandardCharsets.UTF_8));
        assertThat(csv.body()).isEqualTo("\"x\",\"y\"\n\"a\",1\n");
        assertThat(csv.headers().firstValue("X-ClickHouse-Format")).hasValue("CSVWithNames");
    }

    @Test
    void largeResultsStreamWithOneHeader() throws Exception {
        HttpResponse<String> r = get(q("SELECT number AS n, toString(number) AS s FROM numbers(500000) FORMAT TSVWithNamesAndTypes"));
        String[] lines = r.body().split("\n");
        assertThat(lines).hasSize(500_002);
        assertThat(lines[0]).isEqualTo("n\ts");
        assertThat(lines[1]).isEqualTo("UInt64\tString");
        assertThat(lines[500_001]).isEqualTo("499999\t499999");
        HttpResponse<String> json = get(q("SELECT number AS n FROM numbers(300000) FORMAT JSON"));
        assertThat(json.body()).contains("\"rows\": 300000");
        HttpResponse<String> empty = get(q("SELECT number AS n FROM numbers(0) FORMAT TSVWithNames"));
        assertThat(empty.body()).isEqualTo("n\n");
    }

    @Test
    void showDescribeExistsAndExplainAnswerAsOnAServer() throws Exception {
        // what an analyst types first; chDB's streaming API runs only SELECTs
        clickhouse.engine().query("CREATE TABLE IF NOT EXISTS shown (x UInt8) ENGINE = Memory");
        HttpResponse<String> tables = get(q("SHOW TABLES"));
        assertThat(tables.statusCode()).as(tables.body()).isEqualTo(200);
        assertThat(tables.body().lines()).contains("shown");
        assertThat(get(q("DESCRIBE TABLE shown FORMAT TSV")).body()).startsWith("x\tUInt8");
        assertThat(get(q("EXISTS TABLE shown")).body()).isEqualTo("1\n");
        HttpResponse<String> explain = get(q("EXPLAIN SELECT x FROM shown"));
        assertThat(explain.statusCode()).isEqualTo(200);
        assertThat(explain.body()).contains("ReadFrom");
        assertThat(get(q("FROM shown SELECT count()")).body()).isEqualTo("0\n");
    }

    @Test
    void errorsAreHttp500WithTheClickHouseCode() throws Exception {
        HttpResponse<String> r = get(q("SELECT * FROM missing_table"));
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("60");
        assertThat(r.body()).startsWith("Code: 60. DB::Exception:").contains("missing_table");
        HttpResponse<String> syntax = get(q("SELEC 1"));
        assertThat(syntax.statusCode()).isEqualTo(500);
        assertThat(syntax.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("62");
    }

    @Test
    void insertsJsonEachRowAndRowBinaryFromTheBody() throws Exception {
        assertThat(post(q("CREATE TABLE http_rows (n UInt32, s String) ENGINE = MergeTree ORDER BY n"), new byte[0]).statusCode()).isEqualTo(200);
        HttpResponse<String> json = post(q("INSERT INTO http_rows FORMAT JSONEachRow"),
                "{\"n\":1,\"s\":\"one\"}\n{\"n\":2,\"s\":\"two\"}\n".getBytes(StandardCharsets.UTF_8));
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(json.headers().firstValue("X-ClickHouse-Summary")).hasValueSatisfying(s -> assertThat(s).contains("\"written_rows\":\"2\""));
        ByteArrayOutputStream rb = new ByteArrayOutputStream();
        rb.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(3).array());
        byte[] s = "three\n\nlines".getBytes(StandardCharsets.UTF_8);
        rb.write(s.length);
        rb.writeBytes(s);
        assertThat(post(q("INSERT INTO http_rows (n, s) FORMAT RowBinary"), rb.toByteArray()).statusCode()).isEqualTo(200);
        // the statement and its data both in the body, as some clients send them
        assertThat(post("", "INSERT INTO http_rows FORMAT JSONEachRow\n{\"n\":4,\"s\":\"FORMAT\"}\n".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
        assertThat(post(q("INSERT INTO http_rows VALUES"), "(5, 'five')".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
        assertThat(get(q("SELECT n, s FROM http_rows ORDER BY n FORMAT TSV")).body())
                .isEqualTo("1\tone\n2\ttwo\n3\tthree\\n\\nlines\n4\tFORMAT\n5\tfive\n");
        HttpResponse<String> bad = post(q("INSERT INTO http_rows FORMAT JSONEachRow"), "{\"n\":\"x\"}\n".getBytes(StandardCharsets.UTF_8));
        assertThat(bad.statusCode()).isEqualTo(500);
        assertThat(bad.body()).startsWith("Code: ");
    }

    @Test
    void databaseParameterAndSessions() throws Exception {
        for (String setup : List.of("CREATE DATABASE IF NOT EXISTS other",
                "CREATE TABLE IF NOT EXISTS other.t (x UInt8) ENGINE = MergeTree ORDER BY x",
                "TRUNCATE TABLE other.t", "INSERT INTO other.t VALUES (7)")) {
            HttpResponse<String> r = post(q(setup), new byte[0]);
            assertThat(r.statusCode()).as(setup + ": " + r.body()).isEqualTo(200);
        }
        assertThat(get("database=other&" + q("SELECT x FROM t")).body()).isEqualTo("7\n");
        assertThat(get(q("SELECT currentDatabase()")).body()).isEqualTo("default\n");
        assertThat(get("session_id=s1&" + q("USE other")).statusCode()).isEqualTo(200);
        assertThat(get("session_id=s1&" + q("SELECT x FROM t")).body()).isEqualTo("7\n");
        assertThat(get(q("SELECT currentDatabase()")).body()).isEqualTo("default\n");
        // settings as URL parameters apply to that request only
        assertThat(get("max_result_rows=1&result_overflow_mode=throw&" + q("SELECT number FROM numbers(10)")).statusCode()).isEqualTo(500);
        assertThat(get(q("SELECT count() FROM (SELECT number FROM numbers(10))")).body()).isEqualTo("10\n");
        assertThat(get("param_v=41&" + q("SELECT {v:UInt8} + 1")).body()).isEqualTo("42\n");
    }

    @Test
    void unknownUserIsRefusedAndReadonlyUserCannotWrite() throws Exception {
        HttpResponse<String> r = get("user=nobody&" + q("SELECT 1"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("516");
        clickhouse.front().addUser(new ClickHouseHttpFront.User("reader", "secret", true));
        assertThat(get("user=reader&password=secret&" + q("SELECT 1")).body()).isEqualTo("1\n");
        HttpResponse<String> write = get("user=reader&password=secret&" + q("CREATE TABLE nope (x UInt8) ENGINE = Memory"));
        assertThat(write.statusCode()).isEqualTo(500);
        assertThat(write.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("164");
    }

    @Test
    void aSchemaScriptCanCreateAReadOnlyAnalyst() throws Exception {
        // chDB itself refuses CREATE USER; the front keeps users, as a schema script expects of ClickHouse
        assertThat(post(q("CREATE USER IF NOT EXISTS analyst IDENTIFIED WITH sha256_password BY 'an''alyst' SETTINGS readonly = 1"), new byte[0]).statusCode()).isEqualTo(200);
        assertThat(post(q("GRANT SELECT ON default.* TO analyst"), new byte[0]).statusCode()).isEqualTo(200);
        assertThat(post(q("CREATE USER IF NOT EXISTS analyst IDENTIFIED BY 'other'"), new byte[0]).statusCode()).isEqualTo(200);
        String auth = "user=analyst&password=" + URLEncoder.encode("an'alyst", StandardCharsets.UTF_8) + "&";
        assertThat(get(auth + q("SELECT 40 + 2")).body()).isEqualTo("42\n");
        HttpResponse<String> insert = post(auth + q("CREATE TABLE analyst_table (x UInt8) ENGINE = Memory"), new byte[0]);
        assertThat(insert.statusCode()).isEqualTo(500);
        assertThat(insert.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("164");
        assertThat(post(auth + q("DROP USER analyst"), new byte[0]).headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("497");
        // no table functions, no files written (ClickHouseSandboxTest tries every way)
        HttpResponse<String> outfile = get(auth + q("SELECT 1 INTO OUTFILE '" + dir.resolve("analyst-wrote.txt") + "'"));
        assertThat(outfile.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("497");
        assertThat(dir.resolve("analyst-wrote.txt")).doesNotExist();
        assertThat(get(auth + "max_threads=2&" + q("SELECT 1")).body()).isEqualTo("1\n");
        assertThat(get("user=analyst&password=wrong&" + q("SELECT 1")).statusCode()).isEqualTo(401);
        // kept beside the data: a restart knows the analyst
        assertThat(new AccessControl(clickhouse.engine().path(), "").authenticate("analyst", "an'alyst").readonly()).isTrue();
    }

    @Test
    void stockJdbcDriverCreatesInsertsAHundredThousandRowsAndReadsThemBack() throws Exception {
        int rows = 100_000;
        // the URL a user would write, without any option: the driver's default block compression is understood
        String url = "jdbc:clickhouse://127.0.0.1:" + clickhouse.port() + "/default";
        try (Connection c = DriverManager.getConnection(url, "default", "")) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE jdbc_rows (id UInt64, name String, ts DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id");
            }
            long t0 = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jdbc_rows (id, name, ts) VALUES (?, ?, ?)")) {
                for (int i = 0; i < rows; i++) {
                    ps.setLong(1, i);
                    ps.setString(2, "name-" + i);
                    ps.setTimestamp(3, new java.sql.Timestamp(1_700_000_000_000L + i));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            double insertSeconds = (System.nanoTime() - t0) / 1e9;
            long count = 0;
            long sum = 0;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, name, ts FROM jdbc_rows ORDER BY id")) {
                while (rs.next()) {
                    assertThat(rs.getString(2)).isEqualTo("name-" + rs.getLong(1));
                    sum += rs.getLong(1);
                    count++;
                }
            }
            assertThat(count).isEqualTo(rows);
            assertThat(sum).isEqualTo((long) rows * (rows - 1) / 2);
            System.out.printf("JDBC batch insert of %d rows: %.2f s (%.0f rows/s)%n", rows, insertSeconds, rows / insertSeconds);
        }
    }

    @Test
    void jdbcErrorsCarryTheMessage() throws Exception {
        try (Connection c = DriverManager.getConnection(clickhouse.jdbcUrl(), "default", ""); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM no_such_table_here"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("no_such_table_here");
        }
    }

    @Test
    void clientV2InsertsRowBinaryAndQueries() throws Exception {
        try (Client client = new Client.Builder().addEndpoint(clickhouse.url()).setUsername("default").setPassword("")
                .compressServerResponse(false).build()) {
            client.execute("CREATE TABLE v2_rows (n UInt32, s String) ENGINE = MergeTree ORDER BY n").get(30, TimeUnit.SECONDS).close();
            ByteArrayOutputStream rb = new ByteArrayOutputStream();
            for (int i = 0; i < 1000; i++) {
                rb.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array());
                byte[] s = ("s" + i).getBytes(StandardCharsets.UTF_8);
                rb.write(s.length);
                rb.writeBytes(s);
            }
            var insert = client.insert("v2_rows", new ByteArrayInputStream(rb.toByteArray()), ClickHouseFormat.RowBinary, new InsertSettings())
                    .get(30, TimeUnit.SECONDS);
            assertThat(insert.getWrittenRows()).isEqualTo(1000);
            List<GenericRecord> records = client.queryAll("SELECT count() AS c, sum(n) AS s FROM v2_rows");
            assertThat(records.get(0).getLong("c")).isEqualTo(1000);
            assertThat(records.get(0).getLong("s")).isEqualTo(499_500);
        }
    }
}
