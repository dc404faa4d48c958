package dev.trawl.functions.calls.kfl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.trawl.core.clickhouse.ClickHouseSchema;
import dev.trawl.embedded.clickhouse.Chdb;

/** Compiled filters run on the real engine (chDB) over the real schema, and find the right calls. */
class KflOnClickHouseTest {

    @TempDir
    static Path dir;
    static Chdb chdb;

    static final Instant NOW = Instant.parse("2026-03-14T22:00:00Z");

    @BeforeAll
    static void load() {
        chdb = Chdb.open(dir.resolve("ch"), 2);
        for (var m : ClickHouseSchema.migrations()) {
            for (String s : ClickHouseSchema.statements(m.sql())) {
                chdb.query(s);
            }
        }
        chdb.query("""
                INSERT INTO calls (dataset, id, ts, node, protocol, transport, src_ip, src_port, src_pod, src_namespace, src_service,
                  dst_ip, dst_port, dst_pod, dst_namespace, dst_service, method, path, host, status, answered, latency_us,
                  request_size, response_size, request_headers, response_headers, request_body, response_body, fields, dns_questions, summary)
                VALUES
                ('t', 'a1', '2026-03-14 21:58:00', 'n1', 'http', 'tcp', '10.0.0.1', 40000, 'front-1', 'shop', 'frontend', '10.0.0.9', 8080, 'payment-7', 'shop', 'payment', 'POST', '/api/checkout?cart=1', 'payment', 503, 1, 2500000, 100, 20, {'X-Trace':'abc','Content-Type':'application/json'}, {'content-type':'text/plain'}, '{"card":"x"}', 'busy', {}, [], 'POST /api/checkout 503'),
                ('t', 'a2', '2026-03-14 21:50:00', 'n1', 'http', 'tcp', '10.0.0.1', 40001, 'front-1', 'shop', 'frontend', '10.0.0.8', 8080, 'inventory-2', 'shop', 'inventory', 'GET', '/api/inventory', 'inventory', 404, 1, 1000, 80, 40, {}, {}, '', '', {}, [], 'GET /api/inventory 404'),
                ('t', 'a3', '2026-03-14 21:59:30', 'n2', 'http', 'tcp', '10.0.0.2', 40002, 'cli-1', 'ops', '', '10.0.0.9', 8080, 'payment-7', 'shop', 'payment', 'GET', '/health', 'payment', 200, 1, 300, 50, 10, {}, {}, '', 'ok', {}, [], 'GET /health 200'),
                ('t', 'd1', '2026-03-14 21:59:00', 'n2', 'dns', 'udp', '10.0.0.2', 5353, 'cli-1', 'ops', '', '10.96.0.10', 53, 'coredns-1', 'kube-system', 'kube-dns', 'A', 'google.com', '', 0, 1, 900, 30, 60, {}, {}, '', '', {}, ['google.com'], 'A google.com'),
                ('t', 'g1', '2026-03-14 21:59:10', 'n1', 'grpc', 'tcp', '10.0.0.3', 40003, 'front-1', 'shop', 'frontend', '10.0.0.7', 9090, 'cart-1', 'shop', 'cart', 'POST', '/cart.Cart/Add', 'cart', 200, 1, 4000, 30, 30, {}, {}, '', '', {'grpc_status':'14'}, [], 'gRPC Add UNAVAILABLE'),
                ('t', 'r1', '2026-03-14 21:59:20', 'n1', 'redis', 'tcp', '10.0.0.3', 40004, 'cart-1', 'shop', 'cart', '10.0.0.6', 6379, 'redis-0', 'shop', 'redis', 'GET', 'session:42', '', 0, 1, 200, 20, 10, {}, {}, '', '', {}, [], 'GET session:42'),
                ('t', 'k1', '2026-03-14 21:59:40', 'n1', 'kafka', 'tcp', '10.0.0.3', 40005, 'cart-1', 'shop', 'cart', '10.0.0.5', 9092, 'kafka-0', 'data', 'kafka', 'PRODUCE', 'orders', '', 0, 0, 0, 120, 0, {}, {}, '', '', {'kafka_client_id':'cart'}, [], 'PRODUCE orders'),
                ('other', 'z1', '2026-03-14 21:59:40', 'n1', 'http', 'tcp', '10.0.0.3', 40005, 'x', 'shop', 'payment', '10.0.0.5', 80, 'y', 'shop', 'payment', 'GET', '/', '', 500, 1, 0, 1, 1, {}, {}, '', '', {}, [], '')
                """);
    }

    @AfterAll
    static void close() {
        chdb.close();
    }

    static List<String> ids(String kfl) {
        SqlFilter f = Kfl.compile(kfl, NOW);
        String sql = "SELECT id FROM calls WHERE dataset = 't' AND (" + f.where() + ") ORDER BY id";
        String out = chdb.withConnection(c -> c.query(sql, "TSV", f.params())).text().strip();
        return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
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
        assertThat(chdb.query("SELECT count() FROM calls").text().strip()).isEqualTo("8");
    }
}
