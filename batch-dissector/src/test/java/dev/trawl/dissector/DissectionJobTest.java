package dev.trawl.dissector;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import dev.trawl.core.clickhouse.CallsDatasets;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.pcap.SharedPcaps;
import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.DissectionStats;
import dev.trawl.dissector.job.DissectionJob;
import dev.trawl.dissector.job.DissectionLauncher;
import dev.trawl.dissector.job.JobRepositories;
import dev.trawl.dissector.load.CallsTable;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The job's mechanics on a real S3 and a real ClickHouse engine, with real captures as chunks. */
class DissectionJobTest {
    @TempDir static Path dir;
    static EmbeddedStores stores;
    static S3Client s3Client;
    static Client client;
    static DissectionStatusStore store;

    static final Path EXAMPLE = SharedPcaps.dir().resolve("PcapPlusPlus/example.pcap");
    static final Path HTTP = SharedPcaps.dir().resolve("PcapPlusPlus/4KHttpRequests.pcap");
    static final DissectionEngine ENGINE = DissectionEngine.standard();

    @BeforeAll
    static void start() throws Exception {
        stores = EmbeddedStores.start(dir);
        s3Client = stores.s3Client();
        client = stores.client();
        store = new DissectionStatusStore(s3Client, "trawl");
    }

    @AfterAll
    static void stop() throws Exception {
        stores.close();
    }

    static DissectionLauncher launcher(Client ch, DissectionEngine engine, Retry retry) {
        return launcher(ch, engine, retry, DissectionJob.Settings.DEFAULT.withBatchRows(500));
    }

    static DissectionLauncher launcher(Client ch, DissectionEngine engine, Retry retry, DissectionJob.Settings settings) {
        var job = new DissectionJob(s3Client, "trawl", new CallsTable(ch, retry), engine, retry, settings);
        return new DissectionLauncher(job, JobRepositories.create(JobRepositories.dataSource(k -> null)), 2, store, Clock.systemUTC(),
                Duration.ofMillis(200));
    }

    static void request(String snapshot, String name) {
        store.create(DissectionStatus.pending(snapshot, name, Instant.now()));
    }

    @Test
    void dissectsEveryNodeAndReportsTheSeedsStats() throws Exception {
        var snap = new ReplayedSnapshot(s3Client, "trawl", "two-nodes", Instant.parse("2026-01-01T00:00:00Z"))
                .add("node-a", EXAMPLE).add("node-b", HTTP).add("node-a", HTTP).complete();
        request("two-nodes", "all");
        var end = launcher(client, ENGINE, Retry.DEFAULT).run("two-nodes", "all");
        assertThat(end).contains(State.COMPLETED);

        var status = store.find("two-nodes", "all").orElseThrow();
        // the job must find what the engine alone finds in the same chunks
        var reference = snap.engineAlone(ENGINE);
        long entries = reference.values().stream().mapToLong(DissectionStats::entries).sum();
        long packets = reference.values().stream().mapToLong(DissectionStats::packets).sum();
        var protocols = new java.util.TreeMap<String, Long>();
        reference.values().forEach(r -> r.entriesByProtocol().forEach((p, n) -> protocols.merge(p, n, Long::sum)));
        assertThat(entries).isGreaterThan(400);
        assertThat(status.progress()).isEqualTo(100);
        assertThat(status.stats().pcapFiles()).isEqualTo(3);
        assertThat(status.stats().pcapBytes()).isEqualTo(snap.bytes);
        assertThat(status.stats().packetsProcessed()).isEqualTo(packets).isEqualTo(4631 + 385 + 385);
        assertThat(status.stats().entriesCreated()).isEqualTo(entries);
        assertThat(status.stats().protocolCounts()).isEqualTo(protocols);
        assertThat(status.entryCount()).isEqualTo(entries);
        assertThat(status.errors()).isEmpty();
        assertThat(status.firstTs()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z").plusNanos(ReplayedSnapshot.GAP_NANOS).toEpochMilli());
        assertThat(status.startedAt()).isNotNull();
        assertThat(status.finishedAt()).isAfterOrEqualTo(status.startedAt());
        assertThat(CallsDatasets.counts(client, "two-nodes/all").entries()).isEqualTo(status.entryCount());
    }

    @Test
    void theChunksWorkloadTableNamesTheCallsEnds() throws Exception {
        new ReplayedSnapshot(s3Client, "trawl", "named", Instant.parse("2026-01-04T00:00:00Z")).add("node-a", HTTP)
                .withWorkloads(java.util.Map.of(
                        "10.0.0.1", new dev.trawl.core.chunk.Workload("checkout-7d9f", "shop", "checkout", "node-a"),
                        "199.203.85.10", new dev.trawl.core.chunk.Workload("payment-5c4b", "shop", "payment", "node-b")))
                .complete();
        request("named", "n");
        assertThat(launcher(client, ENGINE, Retry.DEFAULT).run("named", "n")).contains(State.COMPLETED);
        var rows = client.queryAll("SELECT src_service, dst_service, dst_namespace, count() AS n FROM calls WHERE dataset = 'named/n'"
                + " AND protocol = 'http' GROUP BY src_service, dst_service, dst_namespace ORDER BY n DESC");
        assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.getString("src_service")).isEqualTo("checkout"));
        assertThat(rows).anySatisfy(r -> {
            assertThat(r.getString("dst_service")).isEqualTo("payment");
            assertThat(r.getString("dst_namespace")).isEqualTo("shop");
        });
        assertThat(rows).anySatisfy(r -> assertThat(r.getString("dst_service")).isEmpty()); // the other servers are no pods
    }

    @Test
    void everyConnectionIsAFlowRowNamedAndLinkedToItsCalls() throws Exception {
        new ReplayedSnapshot(s3Client, "trawl", "flowing", Instant.parse("2026-01-05T00:00:00Z")).add("node-a", HTTP)
                .withWorkloads(java.util.Map.of("10.0.0.1", new dev.trawl.core.chunk.Workload("checkout-7d9f", "shop", "checkout", "node-a")))
                .complete();
        request("flowing", "f");
        assertThat(launcher(client, ENGINE, Retry.DEFAULT).run("flowing", "f")).contains(State.COMPLETED);
        // what the engine alone makes of the same capture
        var alone = new java.util.ArrayList<dev.trawl.engine.flow.Flow>();
        ENGINE.dissect("node-a", java.util.List.of(dev.trawl.engine.PcapSource.file(HTTP)), new dev.trawl.engine.EntrySink() {
            @Override public void accept(dev.trawl.engine.Entry entry) {}
            @Override public void acceptFlow(dev.trawl.engine.flow.Flow flow) { alone.add(flow); }
        });
        var totals = client.queryAll("SELECT count() AS n, uniqExact(id) AS ids, sum(packets_to_server + packets_to_client) AS packets,"
                + " countIf(src_service = 'checkout') AS named FROM flows WHERE dataset = 'flowing/f'").getFirst();
        assertThat(totals.getLong("n")).isEqualTo(alone.size()).isEqualTo(totals.getLong("ids")).isEqualTo(totals.getLong("named"));
        assertThat(totals.getLong("packets")).isEqualTo(alone.stream().mapToLong(dev.trawl.engine.flow.Flow::packets).sum());
        // every HTTP call sits on the flow of its connection
        var unlinked = client.queryAll("SELECT count() AS n FROM calls WHERE dataset = 'flowing/f' AND protocol = 'http'"
                + " AND id NOT IN (SELECT arrayJoin(call_ids) FROM flows WHERE dataset = 'flowing/f' AND protocol = 'http')").getFirst();
        assertThat(unlinked.getLong("n")).isZero();
        assertThat(CallsDatasets.counts(client, "flowing/f").entries()).isPositive();
    }

    @Test
    void onlyThePacketsInsideTheSnapshotsWindowAreDissected() throws Exception {
        var snap = new ReplayedSnapshot(s3Client, "trawl", "cut", Instant.parse("2026-01-05T00:00:00Z")).add("node-a", EXAMPLE);
        var chunk = snap.objects().getFirst();
        long fromMs = chunk.startNanos() / 1_000_000 + 5_000;
        long toMs = fromMs + 10_000;
        snap.complete(new dev.trawl.core.snapshot.SnapshotManifest.Window(fromMs, toMs));
        long inside = 0, all = 0;
        try (var r = dev.trawl.core.pcap.PcapReader.open(s3Client.getObject(b -> b.bucket("trawl").key(chunk.key())), chunk.key())) {
            while (r.next()) {
                all++;
                if (r.timestampNanos() >= fromMs * 1_000_000 && r.timestampNanos() <= toMs * 1_000_000 + 999_999) inside++;
            }
        }
        request("cut", "c");
        assertThat(launcher(client, ENGINE, Retry.DEFAULT).run("cut", "c")).contains(State.COMPLETED);
        var status = store.find("cut", "c").orElseThrow();
        assertThat(status.stats().packetsProcessed()).isEqualTo(inside).isPositive().isLessThan(all);
        var bounds = client.queryAll("SELECT toUnixTimestamp64Milli(min(ts)) AS first, toUnixTimestamp64Milli(max(ts)) AS last FROM calls"
                + " WHERE dataset = 'cut/c'").getFirst();
        assertThat(bounds.getLong("first")).isGreaterThanOrEqualTo(fromMs);
        assertThat(bounds.getLong("last")).isLessThanOrEqualTo(toMs);
    }

    @Test
    void aDamagedChunkIsListedAndTheJobGoesOn() throws Exception {
        new ReplayedSnapshot(s3Client, "trawl", "damaged", Instant.parse("2026-01-02T00:00:00Z"))
                .add("node-a", HTTP)
                .addRaw("node-a", "this is not a capture at all".getBytes())
                .add("node-a", HTTP).complete();
        request("damaged", "d");
        assertThat(launcher(client, ENGINE, Retry.DEFAULT).run("damaged", "d")).contains(State.COMPLETED);
        var status = store.find("damaged", "d").orElseThrow();
        assertThat(status.errors()).singleElement().asString().startsWith("snapshots/damaged/node-a/").contains("pcap_");
        assertThat(status.stats().packetsProcessed()).isEqualTo(2 * 385);
        assertThat(status.entryCount()).isPositive();
    }

    @Test
    void anUnknownSnapshotFailsWithTheReason() {
        request("never-taken", "x");
        assertThat(launcher(client, ENGINE, Retry.DEFAULT).run("never-taken", "x")).contains(State.FAILED);
        assertThat(store.find("never-taken", "x").orElseThrow().errors()).singleElement().asString().contains("no captured data");
    }

    @Test
    void aChunkWhoseBytesAreNotWhatTheSnapshotRecordedIsLeftOutAndNamed() throws Exception {
        var snap = new ReplayedSnapshot(s3Client, "trawl", "tampered", Instant.parse("2026-01-06T00:00:00Z"))
                .add("node-a", HTTP).add("node-a", EXAMPLE).add("node-a", HTTP).complete();
        // one byte of the middle chunk's last packet changed: still a capture that reads, but not the bytes the snapshot recorded
        String victim = snap.objects().get(1).key();
        byte[] changed = s3Client.getObjectAsBytes(b -> b.bucket("trawl").key(victim)).asByteArray();
        changed[changed.length - 1] ^= 0x20;
        s3Client.putObject(b -> b.bucket("trawl").key(victim), software.amazon.awssdk.core.sync.RequestBody.fromBytes(changed));
        request("tampered", "t");
        assertThat(launcher(client, ENGINE, Retry.DEFAULT).run("tampered", "t")).contains(State.COMPLETED);
        var status = store.find("tampered", "t").orElseThrow();
        assertThat(status.errors()).singleElement().asString().isEqualTo(victim + ": left out: sha256 differs from the snapshot's record of it");
        var sources = snap.sources("node-a");
        long expected = ENGINE.dissect("node-a", java.util.List.of(sources.get(0), sources.get(2)), e -> {}).entries();
        assertThat(CallsDatasets.counts(client, "tampered/t").entries()).isEqualTo(expected).isPositive();
        assertThat(status.entryCount()).isEqualTo(expected);
        assertThat(status.stats().entriesCreated()).isEqualTo(expected);
        assertThat(status.stats().packetsProcessed()).isEqualTo(2 * 385);
    }

    @Test
    void aNodeCutInTimeSlicesMakesEveryEntryOnceAsOnePartitionDoes() throws Exception {
        // one capture cut where a daemon would rotate: connections cross the chunk boundaries
        var snap = new ReplayedSnapshot(s3Client, "trawl", "sliced", Instant.parse("2026-01-07T00:00:00Z"))
                .addCut("node-a", HTTP, java.nio.file.Files.size(HTTP) / 8 + 1).complete();
        assertThat(snap.objects()).hasSizeGreaterThanOrEqualTo(6);
        request("sliced", "whole");
        request("sliced", "slices");
        assertThat(launcher(client, ENGINE, Retry.DEFAULT).run("sliced", "whole")).contains(State.COMPLETED);
        // a slice every two chunks or so
        long twoChunks = 2 * snap.objects().getFirst().sizeBytes();
        assertThat(launcher(client, ENGINE, Retry.DEFAULT, DissectionJob.Settings.DEFAULT.withBatchRows(500).withPartitionBytes(twoChunks))
                .run("sliced", "slices")).contains(State.COMPLETED);
        var whole = store.find("sliced", "whole").orElseThrow();
        var slices = store.find("sliced", "slices").orElseThrow();
        assertThat(whole.partitions()).hasSize(1);
        assertThat(slices.partitions()).hasSizeGreaterThanOrEqualTo(3).allSatisfy(p -> assertThat(p.node()).isEqualTo("node-a"));
        // ids are not compared: an entry whose connection a slice picks up mid-stream is keyed on what the slice saw of it
        String rows = "SELECT count() AS n, uniqExact(id) AS ids, sum(cityHash64(toUnixTimestamp64Micro(ts), path, status, answered)) AS h"
                + " FROM calls WHERE dataset = {ds:String}";
        var a = client.queryAll(rows, Map.of("ds", "sliced/whole")).getFirst();
        var b = client.queryAll(rows, Map.of("ds", "sliced/slices")).getFirst();
        assertThat(b.getLong("n")).isEqualTo(b.getLong("ids")).isEqualTo(a.getLong("n")).isPositive();
        assertThat(b.getBigInteger("h")).as("the same calls (time, path, status, answered)").isEqualTo(a.getBigInteger("h"));
        assertThat(slices.stats().packetsProcessed()).isEqualTo(whole.stats().packetsProcessed());
        assertThat(slices.stats().entriesCreated()).isEqualTo(whole.stats().entriesCreated());
    }

    @Test
    void twoWorkersOfAnIndexedJobShareThePartitionsAndTheLastOnePublishes() throws Exception {
        var snap = new ReplayedSnapshot(s3Client, "trawl", "indexed", Instant.parse("2026-01-08T00:00:00Z"))
                .add("node-a", HTTP).add("node-b", EXAMPLE).add("node-c", HTTP).complete();
        request("indexed", "i");
        var settings = DissectionJob.Settings.DEFAULT.withBatchRows(500);
        // what two pods of the Indexed Job do: the same event, JOB_COMPLETION_INDEX 0 and 1 of 2
        var first = launcher(client, ENGINE, Retry.DEFAULT, settings.withWorker(0, 2)).submit("indexed", "i");
        var second = launcher(client, ENGINE, Retry.DEFAULT, settings.withWorker(1, 2)).submit("indexed", "i");
        first.get(120, TimeUnit.SECONDS);
        second.get(120, TimeUnit.SECONDS);
        var status = store.find("indexed", "i").orElseThrow();
        assertThat(status.status()).isEqualTo(State.COMPLETED);
        assertThat(status.partitions()).extracting(p -> p.node() + ":" + p.status() + ":" + p.attempts())
                .containsExactly("node-a:completed:1", "node-b:completed:1", "node-c:completed:1");
        long expected = snap.engineAlone(ENGINE).values().stream().mapToLong(DissectionStats::entries).sum();
        assertThat(CallsDatasets.counts(client, "indexed/i").entries()).isEqualTo(expected).isPositive();
        assertThat(status.entryCount()).isEqualTo(expected);
        assertThat(status.stats().entriesCreated()).isEqualTo(expected);
        assertThat(status.stats().pcapFiles()).isEqualTo(3);
    }

    @Test
    void clickHouseUnreachableIsRetriedThenFailed() throws Exception {
        new ReplayedSnapshot(s3Client, "trawl", "no-ch", Instant.parse("2026-01-03T00:00:00Z")).add("node-a", HTTP).complete();
        request("no-ch", "x");
        var dead = new ClickHouseSettings(java.net.URI.create("http://127.0.0.1:1"), null, null, null).client();
        long t0 = System.nanoTime();
        var end = launcher(dead, ENGINE, new Retry(3, Duration.ofMillis(50))).run("no-ch", "x");
        assertThat(end).contains(State.FAILED);
        var status = store.find("no-ch", "x").orElseThrow();
        assertThat(status.errors()).singleElement().asString().contains("after 3 attempts");
        assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(30));
        dead.close();
    }

    @Test
    void aFinishedOrUnknownDissectionIsNotRunAgain() {
        assertThat(launcher(client, ENGINE, Retry.DEFAULT).run("two-nodes", "nobody-asked")).isEmpty();
        Instant now = Instant.now();
        store.create(DissectionStatus.pending("done-snap", "d", now).withStatus(State.COMPLETED, now));
        assertThat(launcher(client, ENGINE, Retry.DEFAULT).run("done-snap", "d")).contains(State.COMPLETED);
        assertThat(CallsDatasets.counts(client, "done-snap/d").entries()).isZero();
    }

    @Test
    void stopEndsARunningJobWithinSeconds() throws Exception {
        var snap = new ReplayedSnapshot(s3Client, "trawl", "big", Instant.parse("2026-01-04T00:00:00Z"));
        snap.add("node-a", EXAMPLE, 40).complete();
        request("big", "stopped");
        var launcher = launcher(client, ENGINE, Retry.DEFAULT);
        var run = launcher.submit("big", "stopped");
        awaitStatus("big", "stopped", s -> s.status() == State.RUNNING && s.stats().entriesCreated() > 0);
        long t0 = System.nanoTime();
        store.update("big", "stopped", s -> s.withCancelRequested(Instant.now()));
        assertThat(run.get(30, TimeUnit.SECONDS)).contains(State.CANCELLED);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(millis).as("a stop lands at the next clean point; generous for a loaded machine").isLessThan(15_000);
        var status = store.find("big", "stopped").orElseThrow();
        assertThat(status.progress()).isLessThan(100);
        assertThat(status.entryCount()).isEqualTo(CallsDatasets.counts(client, "big/stopped").entries()).isPositive();
        // what a stop left unsent was never created
        assertThat(status.stats().entriesCreated()).isEqualTo(status.entryCount());
    }

    @Test
    void dissectionsOfDifferentSnapshotsRunAtOnce() throws Exception {
        for (String name : new String[] {"para-1", "para-2"}) {
            var snap = new ReplayedSnapshot(s3Client, "trawl", name, Instant.parse("2026-01-05T00:00:00Z"));
            snap.add("node-a", EXAMPLE, 5).complete();
            request(name, "p");
        }
        var launcher = launcher(client, ENGINE, Retry.DEFAULT);
        var first = launcher.submit("para-1", "p");
        var second = launcher.submit("para-2", "p");
        assertThat(first.get(60, TimeUnit.SECONDS)).contains(State.COMPLETED);
        assertThat(second.get(60, TimeUnit.SECONDS)).contains(State.COMPLETED);
        // run at once: each started before the other finished
        var one = store.find("para-1", "p").orElseThrow();
        var two = store.find("para-2", "p").orElseThrow();
        assertThat(one.startedAt()).isBefore(two.finishedAt());
        assertThat(two.startedAt()).isBefore(one.finishedAt());
        assertThat(store.find("para-1", "p").orElseThrow().entryCount()).isEqualTo(store.find("para-2", "p").orElseThrow().entryCount());
    }

    @Test
    void aResumeRunsOnlyWhatIsStillSilentSinceItWasJudgedDead() throws Exception {
        var snap = new ReplayedSnapshot(s3Client, "trawl", "orphan", Instant.parse("2026-01-06T00:00:00Z"));
        snap.add("node-a", EXAMPLE, 2).complete();
        Instant judged = Instant.now().minus(Duration.ofMinutes(10));
        store.create(DissectionStatus.pending("orphan", "o", judged).withStatus(State.RUNNING, judged));
        // written since it was judged dead: alive after all, or another dissector claimed it first
        Instant writtenSince = judged.plusSeconds(1);
        store.update("orphan", "o", s -> s.withProgress(10, s.stats(), writtenSince));
        var launcher = launcher(client, ENGINE, Retry.DEFAULT);
        assertThat(launcher.resume("orphan", "o", judged)).isEmpty();
        assertThat(store.find("orphan", "o").orElseThrow().updatedAt()).isEqualTo(writtenSince);
        assertThat(CallsDatasets.counts(client, "orphan/o").entries()).isZero();

        assertThat(launcher.resume("orphan", "o", writtenSince)).contains(State.COMPLETED);
        long expected = snap.engineAlone(ENGINE).values().stream().mapToLong(DissectionStats::entries).sum();
        assertThat(CallsDatasets.counts(client, "orphan/o").entries()).isEqualTo(expected).isPositive();
    }

    static DissectionStatus awaitStatus(String snapshot, String name, java.util.function.Predicate<DissectionStatus> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Optional<DissectionStatus> s = store.find(snapshot, name);
            if (s.isPresent() && condition.test(s.get())) return s.get();
            Thread.sleep(50);
        }
        throw new AssertionError("status of " + snapshot + "/" + name + " never got there: " + store.find(snapshot, name));
    }
}
