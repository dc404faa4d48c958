package dev.trawl.dissector;

import static org.assertj.core.api.Assertions.assertThat;

import com.clickhouse.client.api.Client;
import dev.trawl.core.clickhouse.ClickHouseSchema;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.pcap.SharedPcaps;
import dev.trawl.embedded.EmbeddedS3;
import dev.trawl.embedded.clickhouse.EmbeddedClickHouse;
import dev.trawl.engine.DissectionEngine;
import dev.trawl.dissector.job.DissectionJob;
import dev.trawl.dissector.job.DissectionLauncher;
import dev.trawl.dissector.job.JobRepositories;
import dev.trawl.dissector.load.CallsTable;
import java.io.File;
import java.time.Clock;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
 * Restart safety with a real process kill: the dissector runs as a Kubernetes Job would run it
 * (JobSink mode, its own JVM, the event in a file); it is killed with SIGKILL halfway, started
 * again with the same event, and must end with exactly the rows of a clean run.
 */
class KillRestartTest {
    @TempDir static Path dir;
    static EmbeddedS3 s3;
    static EmbeddedClickHouse clickHouse;
    static S3Client s3Client;
    static Client client;
    static DissectionStatusStore store;

    @BeforeAll
    static void start() throws Exception {
        s3 = EmbeddedS3.startForTest(dir.resolve("s3"));
        clickHouse = EmbeddedClickHouse.startForTest(dir.resolve("ch"));
        s3Client = s3.client();
        client = ClickHouseSettings.from(clickHouse.toEnv()::get).client();
        ClickHouseSchema.migrate(client);
        store = new DissectionStatusStore(s3Client, "trawl");
        var snap = new ReplayedSnapshot(s3Client, "trawl", "kill-snap", Instant.parse("2026-02-01T00:00:00Z"));
        // every chunk distinct (its own times, hence its own entry ids): a row loaded twice would show
        for (int i = 0; i < 3; i++) snap.add("node-a", SharedPcaps.dir().resolve("PcapPlusPlus/example.pcap"));
        for (int i = 0; i < 8; i++) snap.add("node-b", SharedPcaps.dir().resolve("PcapPlusPlus/4KHttpRequests.pcap"));
        snap.complete();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        s3Client.close();
        clickHouse.close();
        s3.close();
    }

    @Test
    void aRunKilledHalfwayAndStartedAgainEndsWithExactlyTheRowsOfACleanRun() throws Exception {
        store.create(DissectionStatus.pending("kill-snap", "clean", Instant.now()));
        // the clean run in this JVM (same job, same engine; saves a JVM start)
        var retry = Retry.DEFAULT;
        var job = new DissectionJob(s3Client, "trawl", new CallsTable(client, retry), DissectionEngine.standard(), retry, DissectionJob.Settings.DEFAULT);
        try (var launcher = new DissectionLauncher(job, JobRepositories.create(JobRepositories.dataSource(k -> null)), 2, store,
                Clock.systemUTC(), Duration.ofSeconds(1))) {
            assertThat(launcher.run("kill-snap", "clean")).contains(State.COMPLETED);
        }
        var clean = fingerprint("kill-snap/clean");
        assertThat(store.find("kill-snap", "clean").orElseThrow().status()).isEqualTo(State.COMPLETED);
        assertThat(clean.get("n")).isGreaterThan(1000).isEqualTo(clean.get("ids"));

        store.create(DissectionStatus.pending("kill-snap", "killed", Instant.now()));
        Process first = runToEnd("killed");
        // one partition at a time (node-a's, the small one, first): killed once node-a's has
        // completed and node-b's has loaded rows
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline && first.isAlive()) {
            var s = store.find("kill-snap", "killed").orElseThrow();
            boolean aDone = s.partitions().stream().anyMatch(p -> p.node().equals("node-a") && p.status().equals("completed"));
            if (aDone && nodeRows("kill-snap/killed", "node-b") > 0) break;
            Thread.sleep(20);
        }
        first.destroyForcibly(); // SIGKILL: no shutdown hook, no final status
        first.waitFor(30, TimeUnit.SECONDS);
        var afterKill = store.find("kill-snap", "killed").orElseThrow();
        long partial = fingerprint("kill-snap/killed").get("n");
        assertThat(afterKill.status().isTerminal()).as("status after kill: %s", afterKill).isFalse();
        assertThat(partial).as("rows loaded when killed; logs:%n%s", logs()).isPositive().isLessThan(clean.get("n"));
        System.out.printf("killed with %d of %d rows loaded, status %s%n", partial, clean.get("n"), afterKill.status().value());

        Process second = runToEnd("killed");
        assertThat(second.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isZero();
        var rerun = store.find("kill-snap", "killed").orElseThrow();
        assertThat(rerun.status()).as("re-run: %s", rerun).isEqualTo(State.COMPLETED);
        assertThat(fingerprint("kill-snap/killed")).isEqualTo(clean);
        assertThat(rerun.entryCount()).isEqualTo(clean.get("n"));
        assertThat(rerun.stats().entriesCreated()).isEqualTo(clean.get("n"));
        assertThat(finalFingerprint("kill-snap/killed")).isEqualTo(finalFingerprint("kill-snap/clean"));
        // node-a's partition completed before the kill: not redone; node-b's ran again
        assertThat(rerun.partitions()).extracting(p -> p.node() + ":" + p.status() + ":" + p.attempts())
                .containsExactly("node-a:completed:1", "node-b:completed:2");
        assertThat(logs()).contains("partition node-b completed (attempt 2)").doesNotContain("partition node-a completed (attempt 2)");
    }

    static long nodeRows(String dataset, String node) {
        return client.queryAll("SELECT count() AS n FROM calls WHERE dataset = {ds:String} AND node = {node:String}",
                Map.of("ds", dataset, "node", node)).getFirst().getLong("n");
    }

    /** The rows as FINAL sees them (what a reader deduplicating by id would get). */
    static Map<String, Long> finalFingerprint(String dataset) {
        var r = client.queryAll("SELECT count() AS n, sum(cityHash64(id, toUnixTimestamp64Micro(ts), path, status)) AS h"
                + " FROM calls FINAL WHERE dataset = {ds:String}", Map.of("ds", dataset)).getFirst();
        return Map.of("n", r.getLong("n"), "h", r.getBigInteger("h").longValue());
    }

    /** Rows, distinct ids and a sum of id hashes: equal fingerprints mean the same multiset of entries. */
    static Map<String, Long> fingerprint(String dataset) {
        var r = client.queryAll("SELECT count() AS n, uniqExact(id) AS ids, sum(cityHash64(id, toUnixTimestamp64Micro(ts), path, status)) AS h"
                + " FROM calls WHERE dataset = {ds:String}", Map.of("ds", dataset)).getFirst();
        return Map.of("n", r.getLong("n"), "ids", r.getLong("ids"), "h", r.getBigInteger("h").longValue());
    }

    /** The dissector as a Kubernetes Job: its own JVM, the event in a file, env for S3 and ClickHouse. */
    static Process runToEnd(String name) throws Exception {
        Path event = dir.resolve("event-" + name + ".json");
        Files.writeString(event, "{\"specversion\":\"1.0\",\"id\":\"" + name + "\",\"source\":\"/trawl/functions\","
                + "\"type\":\"dev.trawl.dissection.requested\",\"datacontenttype\":\"application/json\","
                + "\"data\":{\"snapshot\":\"kill-snap\",\"name\":\"" + name + "\"}}");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                DissectorApplication.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("dissector-" + name + "-" + System.nanoTime() + ".log").toFile());
        pb.environment().putAll(s3.settings().toEnv());
        pb.environment().putAll(clickHouse.toEnv());
        pb.environment().put("TRAWL_JOBSINK_EVENT", event.toString());
        pb.environment().put("TRAWL_DISSECTOR_STATUS_INTERVAL_MS", "300");
        pb.environment().put("TRAWL_DISSECTOR_BATCH_ROWS", "200");
        pb.environment().put("TRAWL_DISSECTION_PARALLELISM", "1");
        pb.environment().put(JobRepositories.URL, "jdbc:h2:file:" + dir.resolve("jobs/batch"));
        return pb.start();
    }

    static String logs() throws Exception {
        StringBuilder out = new StringBuilder();
        for (File f : dir.toFile().listFiles((d, n) -> n.startsWith("dissector-"))) out.append(Files.readString(f.toPath()));
        return out.toString();
    }
}
