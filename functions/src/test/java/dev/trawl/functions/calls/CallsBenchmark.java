package dev.trawl.functions.calls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.embedded.clickhouse.Chdb;
import dev.trawl.functions.clickhouse.SharedClickHouse;

/**
 * {@code /mcp/calls} speed on generated data in the embedded ClickHouse: p50/p95 of selective
 * and broad KFL filters (page of 100 newest plus the total, as the endpoint runs them), on
 * trawl's schema and, as the reference, on the same rows in the first schema's layout
 * ({@code ORDER BY (dataset, protocol, ts, id)}, no skip indexes). One command:
 *
 * <pre>
 * ./mvnw -B -o -pl functions -am test -Dtest=CallsBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dtrawl.bench.rows=10000000
 * </pre>
 * Add {@code -Dtrawl.test.clickhouse.dir=<dir>} to keep the loaded rows for the next run (loading
 * 10 M rows takes minutes; the queries, seconds). Both tables get the same queries through
 * {@link CallsService} and the HTTP front, so the ratio is the schema's doing.
 */
@EnabledIfSystemProperty(named = "trawl.bench.rows", matches = "\\d+")
class CallsBenchmark {

    static final String DATASET = "bench/run";
    static final int RUNS = Integer.getInteger("trawl.bench.runs", 15);

    /** name, KFL, selective? */
    static final List<String[]> QUERIES = List.of(
            new String[] {"service+5xx", "http && dst.service.name == \"svc-7\" && status_code >= 500", "selective"},
            new String[] {"5-minute window", "timestamp >= timestamp(\"2026-03-14T10:00:00Z\") && timestamp < timestamp(\"2026-03-14T10:05:00Z\")", "selective"},
            new String[] {"one path", "http && path == \"/api/v1/orders/4242\"", "selective"},
            new String[] {"path prefix", "http && url.startsWith(\"/api/v1/orders/42\")", "selective"},
            new String[] {"src pod", "src.pod.name == \"svc-12-3\" && dst.svc == \"svc-40\"", "selective"},
            new String[] {"grpc failures", "grpc && grpc_status != 0 && dst.svc == \"svc-3\"", "selective"},
            new String[] {"redis key", "redis && redis_key == \"session:77777\"", "selective"},
            new String[] {"dns name", "dns && \"svc-9.ns-1.svc.cluster.local\" in dns_questions", "selective"},
            new String[] {"seed: http errors", "http and status >= 400", "broad"},
            new String[] {"all http", "http", "broad"},
            new String[] {"everything", "", "broad"},
            new String[] {"slow calls", "elapsed_time > duration(\"500ms\")", "broad"},
            new String[] {"url contains", "url.contains(\"payments\")", "broad"},
            new String[] {"header lookup", "request.headers[\"user-agent\"] == \"bench/2.0\"", "broad"});

    @Test
    void measure() {
        long rows = Long.getLong("trawl.bench.rows");
        Chdb chdb = TestClickHouse.chdb();
        long present = Long.parseLong(chdb.query("SELECT count() FROM calls WHERE dataset = '" + DATASET + "'").text().strip());
        boolean reuse = present == rows && chdb.query("EXISTS TABLE calls_reference").text().strip().equals("1");
        if (!reuse) {
            long t0 = System.nanoTime();
            chdb.query("DROP TABLE IF EXISTS calls_reference");
            chdb.query("CREATE TABLE calls_reference AS calls ENGINE = ReplacingMergeTree(inserted_at) "
                    + "PARTITION BY (dataset, toYYYYMMDD(ts)) ORDER BY (dataset, protocol, ts, id)");
            for (String ix : indexNames(chdb, "calls_reference")) {
                chdb.query("ALTER TABLE calls_reference DROP INDEX " + ix);
            }
            chdb.query("ALTER TABLE calls DROP PARTITION tuple('" + DATASET + "', 20260314)");
            chdb.withConnection(c -> c.query(generator("calls"), "TSV", Map.of("dataset", DATASET, "n", Long.toString(rows))));
            double loadCalls = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            chdb.query("INSERT INTO calls_reference SELECT * FROM calls WHERE dataset = '" + DATASET + "'");
            double loadReference = (System.nanoTime() - t1) / 1e9;
            chdb.query("OPTIMIZE TABLE calls FINAL");
            chdb.query("OPTIMIZE TABLE calls_reference FINAL");
            System.out.printf("%nloaded %,d generated calls in %.1f s (%.0f rows/s); reference copy %.1f s%n",
                    rows, loadCalls, rows / loadCalls, loadReference);
        } else {
            System.out.printf("%nreusing %,d calls loaded by an earlier run in %s%n", rows, chdb.path());
        }
        String count = chdb.query("SELECT count() FROM calls WHERE dataset = '" + DATASET + "'").text().strip();
        assertThat(Long.parseLong(count)).isEqualTo(rows);
        System.out.println(chdb.query("SELECT table, formatReadableSize(sum(bytes_on_disk)) AS disk, sum(rows) AS rows, count() AS parts "
                + "FROM system.parts WHERE active AND table IN ('calls', 'calls_reference') GROUP BY table FORMAT PrettyCompactMonoBlock").text());
        System.out.printf("load average %.1f on %d cores (figures are wall-clock on a shared machine)%n",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());

        Clock clock = Clock.fixed(Instant.parse("2026-03-15T00:00:00Z"), ZoneOffset.UTC);
        java.util.function.Function<String, String> any = db -> DATASET;
        ClickHouseRows rowsOverChdb = TestClickHouse.rows();
        CallsService trawl = new CallsService(rowsOverChdb, any, clock);
        CallsService reference = new CallsService((sql, p) -> rowsOverChdb.select(sql.replace("FROM calls", "FROM calls_reference"), p), any, clock);

        System.out.printf("%-18s %-9s %10s %9s %9s %9s %9s %7s%n", "query", "kind", "total", "p50 ms", "p95 ms", "ref p50", "ref p95", "ratio");
        double worst = 0;
        double worstSelectiveP50 = 0;
        for (String[] q : QUERIES) {
            long total = trawl.list(CallsQuery.of(q[1], DATASET)).total();
            long refTotal = reference.list(CallsQuery.of(q[1], DATASET)).total();
            assertThat(total).as(q[0]).isEqualTo(refTotal);
            double[] ours = time(trawl, q[1]);
            double[] ref = time(reference, q[1]);
            double p50 = pct(ours, 50);
            double p95 = pct(ours, 95);
            worst = Math.max(worst, p95);
            if (q[2].equals("selective")) {
                worstSelectiveP50 = Math.max(worstSelectiveP50, p50);
            }
            System.out.printf("%-18s %-9s %,10d %9.1f %9.1f %9.1f %9.1f %6.1fx%n", q[0], q[2], total, p50, p95,
                    pct(ref, 50), pct(ref, 95), pct(ref, 50) / p50);
        }
        System.out.printf("worst selective p50 %.1f ms (target < 100), worst p95 %.1f ms (target < 1000)%n", worstSelectiveP50, worst);
        concurrency(clock, any);
        if (System.getProperty("trawl.test.clickhouse.dir") == null) {
            chdb.query("DROP TABLE calls_reference");
            chdb.query("ALTER TABLE calls DROP PARTITION tuple('" + DATASET + "', 20260314)");
        }
    }

    /**
     * Concurrent clients on one instance's shared ClickHouse client, wired as the calls group wires
     * it: each client runs the selective queries in turn. The reference is one client.
     */
    private static void concurrency(Clock clock, java.util.function.Function<String, String> any) {
        List<String> mix = QUERIES.stream().filter(q -> q[2].equals("selective")).map(q -> q[1]).toList();
        try (SharedClickHouse shared = new SharedClickHouse(ClickHouseSettings.from(TestClickHouse.env()::get))) {
            CallsService calls = new CallsService(new CallsConfiguration().clickHouseRows(shared), any, clock);
            calls.list(CallsQuery.of(mix.getFirst(), DATASET));
            System.out.printf("%nconcurrent clients, selective queries in turn, %d requests each%n", RUNS * 2);
            System.out.printf("%-8s %10s %9s %9s %12s%n", "clients", "req/s", "p50 ms", "p95 ms", "vs 1 client");
            double one = 0;
            for (int clients : new int[] {1, 4, 16}) {
                double[] latencies = new double[clients * RUNS * 2];
                java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
                long t0 = System.nanoTime();
                try (var pool = java.util.concurrent.Executors.newFixedThreadPool(clients)) {
                    for (int c = 0; c < clients; c++) {
                        int client = c;
                        pool.submit(() -> {
                            for (int i = 0; i < RUNS * 2; i++) {
                                long t = System.nanoTime();
                                calls.list(CallsQuery.of(mix.get((client + i) % mix.size()), DATASET));
                                latencies[next.getAndIncrement()] = (System.nanoTime() - t) / 1e6;
                            }
                            return null;
                        });
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertThat(next.get()).isEqualTo(latencies.length);
                Arrays.sort(latencies);
                double rate = latencies.length / seconds;
                if (clients == 1) one = rate;
                System.out.printf("%-8d %10.1f %9.1f %9.1f %11.1fx%n", clients, rate, pct(latencies, 50), pct(latencies, 95), rate / one);
            }
        }
    }

    private static List<String> indexNames(Chdb chdb, String table) {
        String out = chdb.query("SELECT name FROM system.data_skipping_indices WHERE table = '" + table + "'").text().strip();
        return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
    }

    private static double[] time(CallsService s, String kfl) {
        s.list(CallsQuery.of(kfl, DATASET));
        double[] ms = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t = System.nanoTime();
            s.list(CallsQuery.of(kfl, DATASET));
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    private static double pct(double[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /**
     * A day of cluster traffic: 50 services with 5 pods each on 8 nodes; HTTP 55 %, DNS 20 %,
     * gRPC 10 %, Redis 8 %, Kafka 4 %, PostgreSQL 2 %, TLS 1 %; about 4 % of HTTP calls fail.
     */
    static String generator(String table) {
        List<String> resources = List.of("orders", "payments", "users", "carts", "items", "search", "reviews", "shipping",
                "inventory", "sessions", "prices", "coupons", "accounts", "images", "tokens", "events", "reports", "stock", "labels", "notes");
        return """
                INSERT INTO %s (dataset, id, ts, node, protocol, transport, src_ip, src_port, src_pod, src_namespace, src_service,
                  dst_ip, dst_port, dst_pod, dst_namespace, dst_service, method, path, host, status, status_text, answered, latency_us,
                  request_size, response_size, request_headers, response_headers, request_body, response_body, fields,
                  dns_questions, dns_answers, summary, source)
                SELECT
                  {dataset:String},
                  lower(hex(sipHash64(number, 'id'))),
                  toDateTime64('2026-03-14 00:00:00', 6, 'UTC') + toIntervalMicrosecond(intDiv(number * 86400000000, {n:UInt64})),
                  concat('node-', toString(h %% 8)),
                  proto,
                  if(proto = 'dns', 'udp', 'tcp'),
                  concat('10.1.', toString(s), '.', toString(h %% 5)), toUInt16(30000 + h %% 30000),
                  concat('svc-', toString(s), '-', toString(h %% 5)), concat('ns-', toString(s %% 8)), concat('svc-', toString(s)),
                  concat('10.2.', toString(d), '.', toString(bitShiftRight(h, 3) %% 5)),
                  toUInt16(multiIf(proto = 'dns', 53, proto = 'redis', 6379, proto = 'kafka', 9092, proto = 'postgresql', 5432, proto = 'tls', 443, 8080)),
                  concat('svc-', toString(d), '-', toString(bitShiftRight(h, 3) %% 5)), concat('ns-', toString(d %% 8)), concat('svc-', toString(d)),
                  multiIf(proto = 'http', ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'][1 + r %% 6], proto = 'dns', ['A', 'AAAA'][1 + r %% 2],
                          proto = 'redis', ['GET', 'SET', 'DEL'][1 + r %% 3], proto = 'kafka', ['PRODUCE', 'FETCH'][1 + r %% 2],
                          proto = 'postgresql', 'SELECT', proto = 'grpc', 'POST', ''),
                  multiIf(proto = 'http', concat('/api/v1/', %s[1 + bitShiftRight(h, 20) %% 20], '/', toString(bitShiftRight(h, 28) %% 100000), if(r %% 10 = 0, '?page=2', '')),
                          proto = 'dns', concat('svc-', toString(d), '.ns-', toString(d %% 8), '.svc.cluster.local'),
                          proto = 'grpc', concat('/svc', toString(d), '.Api/', ['Get', 'List', 'Create'][1 + r %% 3]),
                          proto = 'redis', concat('session:', toString(bitShiftRight(h, 28) %% 100000)),
                          proto = 'kafka', concat('topic-', toString(d %% 10)),
                          proto = 'postgresql', 'SELECT * FROM orders WHERE id = $1', ''),
                  if(proto IN ('http', 'grpc', 'tls'), concat('svc-', toString(d)), ''),
                  toInt32(multiIf(proto = 'http', multiIf(r %% 1000 < 10, 503, r %% 1000 < 15, 500, r %% 1000 < 40, 404, 200),
                          proto = 'grpc', 200, proto = 'dns', if(r %% 100 < 5, 3, 0), 0)),
                  '', toUInt8(r %% 500 != 0),
                  toUInt64(if(r %% 100 = 0, 500000 + bitShiftRight(h, 40) %% 4000000, bitShiftRight(h, 40) %% 50000)),
                  toUInt64(200 + r %% 800), toUInt64(100 + bitShiftRight(h, 12) %% 5000),
                  if(proto = 'http', map('content-type', 'application/json', 'user-agent', if(r %% 50 = 0, 'bench/2.0', 'bench/1.0')), map()),
                  if(proto = 'http', map('content-type', 'application/json'), map()),
                  if(proto = 'http' AND r %% 6 >= 3, concat('{"n":', toString(r), '}'), ''),
                  if(proto = 'http', concat('{"ok":', toString(r %% 2), '}'), ''),
                  if(proto = 'grpc', map('grpc_status', if(r %% 100 < 3, '14', '0')), map()),
                  if(proto = 'dns', [concat('svc-', toString(d), '.ns-', toString(d %% 8), '.svc.cluster.local')], []),
                  if(proto = 'dns', [concat('10.2.', toString(d), '.1')], []),
                  '', 'bench'
                FROM (SELECT number, sipHash64(number) AS h, bitShiftRight(h, 48) %% 50 AS s, bitShiftRight(h, 54) %% 50 AS d, bitShiftRight(h, 8) %% 100000 AS r,
                             multiIf(h %% 100 < 55, 'http', h %% 100 < 75, 'dns', h %% 100 < 85, 'grpc', h %% 100 < 93, 'redis',
                                     h %% 100 < 97, 'kafka', h %% 100 < 99, 'postgresql', 'tls') AS proto
                      FROM numbers({n:UInt64}))
                """.formatted(table, "['" + String.join("', '", resources) + "']");
    }
}
