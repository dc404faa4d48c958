package dev.trawl.dissector;

import com.clickhouse.client.api.Client;
import dev.trawl.core.clickhouse.ClickHouseSchema;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.pcap.SharedPcaps;
import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.DissectionStats;
import dev.trawl.engine.Entry;
import dev.trawl.dissector.job.DissectionJob;
import dev.trawl.dissector.job.DissectionLauncher;
import dev.trawl.dissector.job.JobRepositories;
import dev.trawl.dissector.load.CallsTable;
import dev.trawl.dissector.load.RowBinaryCalls;
import dev.trawl.embedded.EmbeddedS3;
import dev.trawl.embedded.clickhouse.EmbeddedClickHouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The whole dissection job (S3 read, dissection, ClickHouse load) beside its parts alone, on the
 * embedded stack, with tshark on the same capture as the reference. Not a test: run it with
 *
 * <pre>./mvnw -B -pl batch-dissector -am test -Dtest=DissectionJobBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dtrawl.bench=true</pre>
 *
 * ({@code -Dtrawl.bench.copies=N} sets the snapshot's size in copies of the capture, default 24).
 * {@code ./trawl bench job} gives it {@code -Dtrawl.bench.pcap=FILE}, a realistic capture made at
 * bench time (nginx + ab keep-alive, redis-benchmark): it is replayed as
 * {@code trawl.bench.nodes} nodes (3), each cut into chunks of {@code trawl.bench.chunk.mb} (16),
 * and the job's entries/s is set beside the engine's on one thread over the same chunks.
 */
@EnabledIfSystemProperty(named = "trawl.bench", matches = "true")
class DissectionJobBenchmark {
    @TempDir Path dir;

    @Test
    void wholeJobBesideItsParts() throws Exception {
        int copies = Integer.getInteger("trawl.bench.copies", 24);
        int nodes = Integer.getInteger("trawl.bench.nodes", 3);
        String realistic = System.getProperty("trawl.bench.pcap");
        Path capture = realistic != null ? Path.of(realistic) : SharedPcaps.dir().resolve("PcapPlusPlus/example.pcap");
        var engine = DissectionEngine.standard();
        try (var s3 = EmbeddedS3.startForTest(dir.resolve("s3"));
                var clickHouse = EmbeddedClickHouse.startForTest(dir.resolve("ch"));
                S3Client s3Client = s3.client();
                Client client = ClickHouseSettings.from(clickHouse.toEnv()::get).client()) {
            ClickHouseSchema.migrate(client);
            // every copy with its own times: the engine sees new connections, not retransmissions
            var snap = new ReplayedSnapshot(s3Client, "trawl", "bench", Instant.parse("2026-04-01T00:00:00Z"));
            List<String> nodeNames = new ArrayList<>();
            for (int n = 0; n < nodes; n++) nodeNames.add("node-" + (char) ('a' + n));
            for (String node : nodeNames) {
                if (realistic != null) snap.addCut(node, capture, Long.getLong("trawl.bench.chunk.mb", 16) << 20);
                else for (int i = 0; i < copies / nodes; i++) snap.add(node, capture);
            }
            snap.complete();
            double mb = snap.bytes / 1e6;
            System.out.printf("%nsnapshot: %s as %d nodes, %d chunks, %.1f MB%n", capture.getFileName(), nodes, snap.objects().size(), mb);

            // 1. the engine alone, from memory
            // (on one thread, node after node: what `trawl dissect` does on one core)
            snap.engineAlone(engine); // warm-up
            List<Entry> entries = new ArrayList<>();
            long t = System.nanoTime();
            long alonePackets = 0, aloneEntries = 0;
            for (String node : nodeNames) {
                DissectionStats stats = engine.dissect(node, snap.sources(node), entries::add);
                alonePackets += stats.packets();
                aloneEntries += stats.entries();
            }
            double engineS = seconds(t);

            // 2. S3 read alone
            t = System.nanoTime();
            long read = 0;
            for (var o : snap.objects()) {
                try (var in = s3Client.getObject(b -> b.bucket("trawl").key(o.key()))) {
                    read += in.transferTo(java.io.OutputStream.nullOutputStream());
                }
            }
            double s3S = seconds(t);

            // 3. the ClickHouse load alone: the same entries, RowBinary batches of 20 000
            var calls = new CallsTable(client, Retry.DEFAULT);
            var batch = new RowBinaryCalls();
            long rowBytes = 0;
            t = System.nanoTime();
            for (Entry e : entries) {
                batch.add("bench/load-only", e);
                if (batch.rows() == 20_000) {
                    rowBytes += batch.bytes();
                    calls.insert(batch);
                    batch.clear();
                }
            }
            rowBytes += batch.bytes();
            calls.insert(batch);
            double loadS = seconds(t);

            // 4. the whole job
            var store = new DissectionStatusStore(s3Client, "trawl");
            store.create(DissectionStatus.pending("bench", "job", Instant.now()));
            var job = new DissectionJob(s3Client, "trawl", calls, engine, Retry.DEFAULT, DissectionJob.Settings.DEFAULT);
            var repository = JobRepositories.create(JobRepositories.dataSource(k -> null));
            int parallelism = Runtime.getRuntime().availableProcessors();
            t = System.nanoTime();
            try (var launcher = new DissectionLauncher(job, repository, parallelism, store, Clock.systemUTC(), Duration.ofSeconds(2))) {
                launcher.run("bench", "job");
            }
            double jobS = seconds(t);
            var status = store.find("bench", "job").orElseThrow();

            // 5. the reference: tshark's HTTP fields over the capture once
            double tsharkPps = tshark(capture, alonePackets / (realistic != null ? nodes : copies));

            long n = aloneEntries;

            System.out.printf("%-34s %12s %10s %12s%n", "", "entries/s", "MB/s", "packets/s");
            line("engine alone (memory)", n, mb, alonePackets, engineS);
            System.out.printf("%-34s %12s %10.1f%n", "S3 read alone (embedded S3)", "", read / 1e6 / s3S);
            System.out.printf("%-34s %12.0f %10.1f   (RowBinary MB/s)%n", "ClickHouse load alone", n / loadS, rowBytes / 1e6 / loadS);
            line("whole job (S3+engine+ClickHouse)", status.stats().entriesCreated(), mb, status.stats().packetsProcessed(), jobS);
            if (tsharkPps > 0) System.out.printf("%-34s %12s %10s %12.0f%n", "tshark -T fields (reference)", "", "", tsharkPps);
            System.out.printf("%nwhole job / engine alone: %.2f; load capacity / job's entry rate: %.1fx",
                    engineS / jobS, (n / loadS) / (status.stats().entriesCreated() / jobS));
            if (tsharkPps > 0) System.out.printf("; engine / tshark packets/s: %.1fx", alonePackets / engineS / tsharkPps);
            System.out.printf("%nstatus: %s, %d entries, %d errors; %d partitions on %d threads%n", status.status().value(), status.entryCount(),
                    status.errors().size(), status.partitions().size(), parallelism);
            System.out.printf("job entries/s / engine on one thread: %.2f%n", status.stats().entriesCreated() / jobS / (n / engineS));
            // where each partition's time went, from its ExecutionContext in the job repository
            System.out.printf("%-10s %9s %9s %9s %9s %9s%n", "partition", "entries", "wall s", "S3 wait", "engine", "load*");
            var instance = repository.getLastJobInstance("dissection");
            for (var step : repository.getLastJobExecution(instance).getStepExecutions()) {
                var c = step.getExecutionContext();
                if (!c.containsKey("seconds")) continue;
                System.out.printf("%-10s %9d %9.2f %9.2f %9.2f %9.2f%n", step.getStepName().replace("partition:", ""), c.getLong("entries_created"),
                        c.getDouble("seconds"), c.getDouble("s3_wait_seconds"), c.getDouble("engine_seconds"), c.getDouble("load_seconds"));
            }
            System.out.println("(* load runs on each partition's own loader thread, beside the engine)\n");
        }
    }

    static void line(String what, long entries, double mb, long packets, double s) {
        System.out.printf("%-34s %12.0f %10.1f %12.0f   (%.2f s)%n", what, entries / s, mb / s, packets / s, s);
    }

    static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** tshark's packets/s extracting HTTP fields from {@code capture}; 0 when tshark is not installed. */
    static double tshark(Path capture, long packets) throws Exception {
        try {
            long t = System.nanoTime();
            Process p = new ProcessBuilder("tshark", "-n", "-r", capture.toString(), "-T", "fields", "-e", "http.request.method",
                    "-e", "http.request.uri", "-e", "http.response.code", "-e", "dns.qry.name")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) return 0;
            return packets / seconds(t);
        } catch (java.io.IOException notInstalled) {
            return 0;
        }
    }
}
