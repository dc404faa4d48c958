package dev.trawl.dissector;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import dev.trawl.core.clickhouse.CallsDatasets;
import dev.trawl.core.clickhouse.ClickHouseSchema;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.engine.Entry;
import dev.trawl.dissector.load.CallsTable;
import dev.trawl.dissector.load.RowBinaryCalls;
import dev.trawl.embedded.clickhouse.EmbeddedClickHouse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader against a real ClickHouse engine (chDB behind its HTTP interface). */
class ClickHouseLoadTest {
    @TempDir static Path dir;
    static EmbeddedClickHouse clickHouse;
    static Client client;

    @BeforeAll
    static void start() throws Exception {
        clickHouse = EmbeddedClickHouse.startForTest(dir.resolve("ch"));
        client = ClickHouseSettings.from(clickHouse.toEnv()::get).client();
    }

    @AfterAll
    static void stop() {
        client.close();
        clickHouse.close();
    }

    @Test
    void schemaIsAppliedOnceAndRecorded() {
        ClickHouseSchema.migrate(client);
        assertThat(ClickHouseSchema.migrate(client)).isEmpty();
        assertThat(ClickHouseSchema.appliedVersions(client)).contains(1);
        assertThat(client.queryAll("SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'calls'")
                .getFirst().getLong("n")).isEqualTo(1);
    }

    @Test
    void rowBinaryBatchesArriveWithEveryTypeIntact() {
        ClickHouseSchema.migrate(client);
        var calls = new CallsTable(client, new Retry(2, Duration.ofMillis(10)));
        var batch = new RowBinaryCalls();
        long ts = 1_706_745_000_123_456L;
        for (int i = 0; i < 3; i++) {
            batch.add("snap-x/full", Entry.builder().id("id-" + i).timestampMicros(ts + i).node("node-é").protocol("http").transport("tcp")
                    .srcIp("10.0.0.1").srcPort(40000 + i).srcPod("web-1").srcNamespace("shop").srcService("web").dstIp("10.0.0.2").dstPort(8080)
                    .method("GET").path("/api/ü?x=" + i).host("shop.local").status(503).statusText("Service Unavailable").answered(true)
                    .latencyMicros(1500).requestSize(120).responseSize(4000).requestHeader("Host", "shop.local")
                    .responseHeader("Content-Type", "text/plain").responseBody("x".repeat(200_000)).field("k", "v").dnsQuestion("a.example")
                    .summary("GET /api 503").source("snapshots/snap-x/n/1-2.pcap").build());
        }
        batch.add("other/run", Entry.builder().id("o-1").timestampMicros(ts).node("n").protocol("dns").transport("udp").srcIp("::1")
                .srcPort(53).dstIp("::2").dstPort(5353).method("A").path("example.org").dnsQuestion("example.org")
                .dnsAnswer("1.2.3.4").dnsAnswer("5.6.7.8").build());
        assertThat(calls.insert(batch)).isEqualTo(4);

        var row = client.queryAll("SELECT id, toUnixTimestamp64Micro(ts) AS us, node, src_port, path, status, answered, latency_us,"
                + " request_headers['Host'] AS host_header, length(response_body) AS body, fields['k'] AS k, dns_questions[1] AS q"
                + " FROM calls WHERE dataset = 'snap-x/full' ORDER BY id").getFirst();
        assertThat(row.getString("id")).isEqualTo("id-0");
        assertThat(row.getLong("us")).isEqualTo(ts);
        assertThat(row.getString("node")).isEqualTo("node-é");
        assertThat(row.getLong("src_port")).isEqualTo(40000);
        assertThat(row.getString("path")).isEqualTo("/api/ü?x=0");
        assertThat(row.getLong("status")).isEqualTo(503);
        assertThat(row.getLong("answered")).isEqualTo(1);
        assertThat(row.getLong("latency_us")).isEqualTo(1500);
        assertThat(row.getString("host_header")).isEqualTo("shop.local");
        assertThat(row.getLong("body")).isEqualTo(200_000);
        assertThat(row.getString("k")).isEqualTo("v");
        assertThat(row.getString("q")).isEqualTo("a.example");
        assertThat(client.queryAll("SELECT dns_answers[2] AS a FROM calls WHERE dataset = 'other/run'").getFirst().getString("a"))
                .isEqualTo("5.6.7.8");

        var counts = calls.counts("snap-x/full");
        assertThat(counts.entries()).isEqualTo(3);
        assertThat(counts.firstTs()).isEqualTo(ts / 1000);

        assertThat(calls.dropDataset("snap-x/full")).isGreaterThanOrEqualTo(1);
        assertThat(calls.counts("snap-x/full")).isEqualTo(CallsDatasets.Counts.NONE);
        assertThat(calls.counts("other/run").entries()).isEqualTo(1);
    }
}
