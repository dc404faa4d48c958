package dev.trawl.dissector;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import dev.trawl.core.clickhouse.CallsDatasets;
import dev.trawl.core.clickhouse.ClickHouseSchema;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.dissector.engine.CallRow;
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
            batch.add("snap-x/full", new CallRow("id-" + i, ts + i, "node-é", "http", "tcp", "10.0.0.1", 40000 + i, "web-1", "shop", "web",
                    "10.0.0.2", 8080, "", "", "", "GET", "/api/ü?x=" + i, "shop.local", 503, "Service Unavailable", true, 1500, 120, 4000,
                    Map.of("Host", "shop.local"), Map.of("Content-Type", "text/plain"), "", "x".repeat(200_000),
                    Map.of("k", "v"), List.of("a.example"), List.of(), "GET /api 503", "snapshots/snap-x/n/1-2.pcap"));
        }
        batch.add("other/run", new CallRow("o-1", ts, "n", "dns", "udp", "::1", 53, "", "", "", "::2", 5353, "", "", "", "A", "example.org",
                "", 0, "", false, 0, 0, 0, Map.of(), Map.of(), "", "", Map.of(), List.of("example.org"), List.of("1.2.3.4", "5.6.7.8"), "", ""));
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
