package dev.trawl.dissector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.Client;
import dev.trawl.core.clickhouse.ClickHouseSchema;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.core.realtime.RealtimeProgressStore;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.EngineSession;
import dev.trawl.engine.PcapSource;
import dev.trawl.dissector.load.CallsTable;
import dev.trawl.dissector.realtime.RealtimeDissector;
import dev.trawl.embedded.clickhouse.EmbeddedClickHouse;
import dev.trawl.embedded.EmbeddedS3;
import dev.trawl.core.pcap.SharedPcaps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The real-time lane against embedded S3 and ClickHouse, with a real capture cut into a node's
 * consecutive chunks (connections cross the cuts): lost events, a restart, a failing ClickHouse.
 */
class RealtimeLaneTest {
    @TempDir static Path dir;
    static EmbeddedS3 s3;
    static EmbeddedClickHouse clickHouse;
    static S3Client s3Client;
    static Client client;

    @BeforeAll
    static void start() throws Exception {
        s3 = EmbeddedS3.startForTest(dir.resolve("s3"));
        clickHouse = EmbeddedClickHouse.startForTest(dir.resolve("ch"));
        s3Client = s3.client();
        client = ClickHouseSettings.from(clickHouse.toEnv()::get).client();
        ClickHouseSchema.migrate(client);
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        s3Client.close();
        clickHouse.close();
        s3.close();
    }

    static RealtimeDissector lane(Client ch, Retry retry) {
        return new RealtimeDissector(s3Client, "trawl", new CallsTable(ch, retry), DissectionEngine.standard(), retry,
                new RealtimeDissector.Settings(8, Duration.ofMinutes(5), Duration.ZERO), Clock.systemUTC());
    }

    /** {@code pcap} cut into about {@code parts} consecutive chunks of {@code node} in {@code raw/}; their keys in order. */
    static List<String> uploadCut(String node, Path pcap, int parts, List<PcapSource> inOrder) throws Exception {
        var cut = new ReplayedSnapshot(s3Client, "trawl", "cut-" + node, Instant.parse("2026-05-01T00:00:00Z"))
                .addCut(node, pcap, Files.size(pcap) / parts + 1);
        List<String> keys = new ArrayList<>();
        for (var o : cut.objects()) {
            s3Client.copyObject(b -> b.sourceBucket("trawl").sourceKey(o.key()).destinationBucket("trawl").destinationKey(o.sourceKey()));
            keys.add(o.sourceKey());
        }
        inOrder.addAll(cut.sources(node));
        return keys;
    }

    /** What one engine session makes of the chunks in order, kept open at the end as a lane keeps it. */
    static long engineInOrder(String node, List<PcapSource> chunks) throws Exception {
        long[] entries = {0};
        EngineSession session = DissectionEngine.standard().newSession(node, e -> entries[0]++);
        for (PcapSource c : chunks) session.feed(c);
        return entries[0];
    }

    static long realtimeRows(String node) {
        return client.queryAll("SELECT count() AS n FROM calls FINAL WHERE dataset = 'realtime' AND node = {node:String}",
                Map.of("node", node)).getFirst().getLong("n");
    }

    static long realtimeRowsRaw(String node) {
        return client.queryAll("SELECT count() AS n, uniqExact(id) AS ids FROM calls WHERE dataset = 'realtime' AND node = {node:String}",
                Map.of("node", node)).getFirst().getLong("ids");
    }

    @Test
    void lostEventsAndARestartLeaveNoHoleAndNoDoubleWhatOneSessionInOrderMakes() throws Exception {
        var contents = new ArrayList<PcapSource>();
        List<String> keys = uploadCut("rt-a", SharedPcaps.dir().resolve("PcapPlusPlus/example.pcap"), 5, contents);
        long expected = engineInOrder("rt-a", contents);
        assertThat(expected).isGreaterThan(10);

        try (var first = lane(client, Retry.DEFAULT)) {
            assertThat(first.submit("rt-a", keys.get(0)).get(120, TimeUnit.SECONDS)).isPositive();
            // its future completes once the rows are in ClickHouse: no waiting here
            assertThat(realtimeRows("rt-a")).isPositive();
        }
        // a new process (the first one's session is gone); the events of chunks 1 and 2 were lost
        try (var second = lane(client, Retry.DEFAULT)) {
            second.submit("rt-a", keys.get(3)).get(120, TimeUnit.SECONDS);
            second.submit("rt-a", keys.get(2)).get(120, TimeUnit.SECONDS); // late, already taken in order: folds
            second.submit("rt-a", keys.get(4)).get(120, TimeUnit.SECONDS);
            second.submit("rt-a", keys.get(4)).get(120, TimeUnit.SECONDS); // redelivered
        }
        assertThat(realtimeRows("rt-a")).isEqualTo(expected);
        assertThat(realtimeRowsRaw("rt-a")).isEqualTo(expected);
        var progress = new RealtimeProgressStore(s3Client, "trawl").find("rt-a");
        assertThat(progress.lastChunk()).isEqualTo(keys.get(4));
        assertThat(progress.gaps()).isEmpty();
    }

    @Test
    void aChunkThatFailsAfterItsRetriesIsAGapWithItsReasonAndIsFilledLater() throws Exception {
        var contents = new ArrayList<PcapSource>();
        List<String> keys = uploadCut("rt-b", SharedPcaps.dir().resolve("PcapPlusPlus/4KHttpRequests.pcap"), 3, contents);
        var store = new RealtimeProgressStore(s3Client, "trawl");
        try (var ok = lane(client, Retry.DEFAULT)) {
            ok.submit("rt-b", keys.get(0)).get(120, TimeUnit.SECONDS);
        }
        var dead = new ClickHouseSettings(java.net.URI.create("http://127.0.0.1:1"), null, null, null).client();
        try (var failing = lane(dead, new Retry(2, Duration.ofMillis(10)))) {
            // answered: the failure is recorded, not lost, and the lane goes on
            assertThat(failing.submit("rt-b", keys.get(1)).get(120, TimeUnit.SECONDS)).isZero();
        } finally {
            dead.close();
        }
        var withGap = store.find("rt-b");
        assertThat(withGap.gaps()).singleElement().satisfies(g -> {
            assertThat(g.key()).isEqualTo(keys.get(1));
            assertThat(g.reason()).contains("failed after 2 attempts");
        });
        assertThat(withGap.lastChunk()).isEqualTo(keys.get(1));
        try (var again = lane(client, Retry.DEFAULT)) {
            again.submit("rt-b", keys.get(2)).get(120, TimeUnit.SECONDS);
        }
        assertThat(store.find("rt-b").gaps()).isEmpty();
        long gapAlone = DissectionEngine.standard().dissect("rt-b", List.of(contents.get(1)), e -> {}).entries();
        assertThat(realtimeRows("rt-b")).isPositive();
        assertThat(gapAlone).isPositive();
    }

    @Test
    void anUnknownNodeIsRefusedAndAMissingObjectIsSkippedAtOnce() throws Exception {
        try (var lanes = lane(client, new Retry(5, Duration.ofSeconds(30)))) {
            String stranger = S3Layout.chunkKey("nobody", 1, 2);
            assertThatThrownBy(() -> lanes.submit("nobody", stranger)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("unknown node 'nobody'");
            assertThat(lanes.lanes()).isZero();

            var contents = new ArrayList<PcapSource>();
            List<String> keys = uploadCut("rt-c", SharedPcaps.dir().resolve("PcapPlusPlus/example.pcap"), 1, contents);
            String missing = S3Layout.chunkKey("rt-c", 5, 6);
            // 30 s backoffs: a retried miss would not answer within the limit below
            assertThat(lanes.submit("rt-c", missing).get(20, TimeUnit.SECONDS)).isZero();
            assertThat(new RealtimeProgressStore(s3Client, "trawl").find("rt-c").lastChunk()).isNull();
            assertThat(lanes.submit("rt-c", keys.getFirst()).get(120, TimeUnit.SECONDS)).isPositive();
        }
    }
}
