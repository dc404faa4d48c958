package dev.trawl.functions.calls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

import com.clickhouse.client.api.Client;

import dev.trawl.core.clickhouse.ClickHouseSchema;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.embedded.clickhouse.Chdb;
import dev.trawl.embedded.clickhouse.EmbeddedClickHouse;

/**
 * The embedded ClickHouse (chDB behind its HTTP front) for the calls tests, with trawl's schema
 * applied through the real client. chDB serves one data directory per process and another test
 * class may have closed it, so {@link #start} opens a fresh one when needed; each test class
 * loads its own datasets in its {@code @BeforeAll}.
 */
public final class TestClickHouse {

    private static EmbeddedClickHouse clickHouse;
    private static Client client;

    private TestClickHouse() {
    }

    public static synchronized EmbeddedClickHouse start() {
        if (clickHouse == null || !alive()) {
            try {
                // trawl.test.clickhouse.dir keeps the data between runs (the benchmark's 10 M rows)
                String keep = System.getProperty("trawl.test.clickhouse.dir");
                clickHouse = EmbeddedClickHouse.startForTest(keep != null ? java.nio.file.Path.of(keep)
                        : Files.createTempDirectory("trawl-calls-ch"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (client != null) {
                client.close();
            }
            client = ClickHouseSettings.from(clickHouse.toEnv()::get).client();
            ClickHouseSchema.migrate(client);
            EmbeddedClickHouse opened = clickHouse;
            // chDB's threads must stop before the JVM's exit runs the library's static destructors
            Runtime.getRuntime().addShutdownHook(new Thread(opened::close, "chdb-close"));
        }
        return clickHouse;
    }

    private static boolean alive() {
        try {
            clickHouse.engine().query("SELECT 1");
            return true;
        } catch (RuntimeException closed) {
            return false;
        }
    }

    /** The engine, for loading rows and statements that need no HTTP. */
    public static Chdb chdb() {
        return start().engine();
    }

    /** {@link ClickHouseRows} as production runs it: client-v2 over HTTP, parameters as {@code param_*}. */
    public static ClickHouseRows rows() {
        start();
        Client c = client;
        return (sql, params) -> new ClientRows(c, 120).select(sql, params);
    }

    public static Map<String, String> env() {
        return start().toEnv();
    }

    /** A small, varied set of calls (HTTP, gRPC, DNS, Redis, Kafka) in {@code dataset}. */
    public static void loadSample(String dataset) {
        chdb().query(SAMPLE.replace("'t'", "'" + dataset.replace("'", "") + "'"));
    }

    private static final String SAMPLE = """
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
            ('t', 'k1', '2026-03-14 21:59:40', 'n1', 'kafka', 'tcp', '10.0.0.3', 40005, 'cart-1', 'shop', 'cart', '10.0.0.5', 9092, 'kafka-0', 'data', 'kafka', 'PRODUCE', 'orders', '', 0, 0, 0, 120, 0, {}, {}, '', '', {'kafka_client_id':'cart'}, [], 'PRODUCE orders')
            """;
}
