package dev.trawl.functions.calls.kfl;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.trawl.functions.calls.TestClickHouse;
import dev.trawl.embedded.clickhouse.Chdb;

/** Compiled filters run on the real engine (chDB) over the real schema, and find the right calls. */
class KflOnClickHouseTest {

    static Chdb chdb;

    static final Instant NOW = Instant.parse("2026-03-14T22:00:00Z");

    @BeforeAll
    static void load() {
        chdb = TestClickHouse.chdb();
        TestClickHouse.loadSample("t");
        TestClickHouse.loadSample("other");
        chdb.query("INSERT INTO calls (dataset, id, ts, protocol, path) VALUES "
                + "('esc', 'backslash', '2026-03-14 21:00:00', 'http', 'C:\\\\temp\\\\a'), "
                + "('esc', 'tab', '2026-03-14 21:00:01', 'http', 'a\\tb'), "
                + "('esc', 'newline', '2026-03-14 21:00:02', 'http', 'a\\nb'), "
                + "('esc', 'letters', '2026-03-14 21:00:03', 'http', 'a\\\\nb'), "
                + "('esc', 'empty', '2026-03-14 21:00:04', 'http', '')");
    }

    static List<String> ids(String kfl) {
        return ids("t", kfl);
    }

    static List<String> ids(String dataset, String kfl) {
        SqlFilter f = Kfl.compile(kfl, NOW);
        String sql = "SELECT id FROM calls WHERE dataset = '" + dataset + "' AND (" + f.where() + ") ORDER BY id";
        // through the HTTP front with client-v2: the filter's values travel as param_kfl_N
        return TestClickHouse.rows().select(sql, f.params()).stream().map(r -> r.path("id").asString()).toList();
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '~', value = {
            "http and status >= 400                                   => a1 a2",
            "http && status_code >= 400 && status_code < 500          => a2",
            "dst.svc == \"payment\"                                   => a1 a3",
            "dst.service.name == \"payment\" && !(path == \"/health\") => a1",
            "request.path == \"/api/checkout\"                        => a1",
            "url == \"/api/checkout?cart=1\"                          => a1",
            "http and response.status == r\"5.*\"                     => a1",
            "path.startsWith(\"/api\")                                => a1 a2",
            "request.path.endsWith(\"tory\") or dns                   => a2 d1",
            "summary.contains(\"UNAVAILABLE\")                        => g1",
            "url.matches(\"^/api/(check|inv)\")                       => a1 a2",
            "dns && \"google.com\" in dns_questions                   => d1",
            "dns_questions.endsWith(\".com\")                         => d1",
            "grpc && grpc_status != 0                                 => g1",
            "grpc_method == \"Add\"                                   => g1",
            "redis && redis_key.startsWith(\"session:\")              => r1",
            "kafka_api_key_name == \"PRODUCE\" && !answered           => k1",
            "map_get(fields, \"kafka_client_id\", \"\") == \"cart\"   => k1",
            "request.headers[\"x-trace\"] == \"abc\"                  => a1",
            "\"content-type\" in response.headers                     => a1",
            "map_get(request.headers, \"Content-Type\", \"none\") == \"application/json\" => a1",
            "request.headers.host == \"\" && http                     => a1 a2 a3 g1",
            "src.pod.name == \"cli-1\" && udp                         => d1",
            "dst.namespace == \"kube-system\" || dst.pod.namespace == \"data\" => d1 k1",
            "\"ops\" in namespaces                                     => a3 d1",
            "elapsed_time > duration(\"2s\")                          => a1",
            "http && elapsed_time > 5000                              => a1",
            "timestamp > now() - duration(\"5m\")                     => a1 a3 d1 g1 k1 r1",
            "timestamp >= timestamp(\"2026-03-14T21:59:15Z\") && timestamp < timestamp(\"2026-03-14T21:59:35Z\") => a3 r1",
            "timestamp < now() - duration(\"9m\")                     => a2",
            "timestamp > timestamp(\"1950-01-01T00:00:00Z\")          => a1 a2 a3 d1 g1 k1 r1",
            "timestamp < timestamp(\"2128-01-01T00:00:00Z\")          => a1 a2 a3 d1 g1 k1 r1",
            "timestamp >= timestamp(\"0001-01-01T00:00:00Z\") && timestamp <= timestamp(\"9999-12-31T23:59:59Z\") => a1 a2 a3 d1 g1 k1 r1",
            "size(request.body) > 5                                   => a1",
            "method in [\"PRODUCE\", \"A\"]                          => d1 k1",
            "protocol == \"HTTP\"                                     => a1 a2 a3",
            "tcp && dst.port == 9092                                  => k1",
            "status_code >= 500 ? latency_ms > 1000 : false           => a1",
            "request.body                                             => a1",
            "not http and not tcp                                     => d1",
            "ws || amqp || mysql || postgresql || mongodb || tls || icmp => none",
    })
    void findsTheRightCalls(String kfl, String expected) {
        List<String> want = expected.equals("none") ? List.of() : List.of(expected.split(" "));
        assertThat(ids(kfl)).as(kfl).isEqualTo(want);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "dst.svc == \"x' OR 1=1 --\"",
            "dst.svc == \"payment') OR ('1'='1\"",
            "path == \"/'; DROP TABLE calls; --\"",
            "request.headers[\"x') OR 1=1 OR lower('\"] == \"v\"",
            "url.matches(\"') OR 1=1 --\")",
            "method in [\"GET\", \"x') OR 1=1 --\"]",
    })
    void injectionAttemptsMatchNothingAndHarmNothing(String kfl) {
        // each payload, read as a value, matches no call; read as SQL, it would have matched all
        assertThat(ids(kfl).size()).isLessThan(7);
        assertThat(chdb.query("SELECT count() FROM calls WHERE dataset IN ('t', 'other')").text().strip()).isEqualTo("14");
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '~', value = {
            "url == \"C:\\\\temp\\\\a\"   => backslash",
            "url.startsWith(\"C:\\\\\")       => backslash",
            "url == \"a\\tb\"                   => tab",
            "url == \"a\\nb\"                   => newline",
            "url == \"a\\\\nb\"               => letters",
            "url == r\"a\\nb\"                  => newline",
            "url == \"\\\\\"                  => none",
            "url == \"\\\\N\"                 => none",
            "url.contains(\"\\\\\")           => backslash letters",
    })
    void backslashesTabsAndNewlinesInValuesMeanThemselves(String kfl, String expected) {
        // ClickHouse reads a parameter in its escaped format: unescaped, these failed the query or matched other text
        List<String> want = expected.equals("none") ? List.of() : List.of(expected.split(" "));
        assertThat(ids("esc", kfl)).as(kfl).containsExactlyInAnyOrderElementsOf(want);
    }

    @Test
    void theDeepestFiltersTheParserTakesRunOnClickHouse() {
        int levels = Parser.MAX_DEPTH - 1;
        for (String deep : List.of(
                "(".repeat(levels) + "http" + ")".repeat(levels),
                "!".repeat(levels - 1) + "!http",
                "request.headers[".repeat(levels / 3) + "\"x\"" + "]".repeat(levels / 3) + " == \"\"",
                "map_get(request.headers, \"k\", ".repeat(levels - 1) + "\"d\"" + ")".repeat(levels - 1) + " == \"d\"",
                "(" + "true ? ".repeat(levels - 1) + "status" + " : 0".repeat(levels - 1) + ") > 0",
                "status" + " + 1".repeat(levels - 1) + " > 0",
                "size(string(".repeat(levels / 2) + "path" + "))".repeat(levels / 2) + " > 0")) {
            assertThat(ids(deep)).as(deep).isNotNull();
        }
        // a long list of alternatives is flat: ClickHouse's max_ast_depth (1000) does not limit it
        String anyStatus = String.join(" || ", java.util.stream.IntStream.range(0, 2000).mapToObj(i -> "status_code == " + (i + 100)).toList());
        assertThat(ids(anyStatus)).containsExactly("a1", "a2", "a3", "g1");
    }

    @Test
    void dividingByAColumnThatIsZeroAnswersInsteadOfFailingTheQuery() {
        // r1, d1 and k1 have status 0
        assertThat(ids("elapsed_time / status_code >= 0 && elapsed_time % status_code >= 0")).hasSize(7);
    }
}
