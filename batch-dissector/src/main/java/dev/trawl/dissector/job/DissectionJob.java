package dev.trawl.dissector.job;

import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.dissector.ChunkWorkloads;
import dev.trawl.dissector.Retry;
import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.DissectionStats;
import dev.trawl.engine.EngineSession;
import dev.trawl.engine.PcapSource;
import dev.trawl.dissector.load.CallsTable;
import dev.trawl.core.dissection.DissectionStatus;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.core.task.TaskExecutor;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The delayed-dissection job, top to bottom:
 *
 * <ol>
 *   <li>{@code prepare} — status {@code downloading}; list the snapshot's chunks and cut them into
 *       partitions ({@link NodePartitioner}: a node each, large nodes in time slices);
 *   <li>{@code dissect} — status {@code running}; a partitioned step: each partition (a worker
 *       step execution, its slice in its {@code ExecutionContext}) streams its chunks in time
 *       order from S3 through one engine session and loads its entries into ClickHouse in
 *       RowBinary batches on its own loader thread; partitions run on the launcher's pool
 *       ({@code TRAWL_DISSECTION_PARALLELISM} at once); a damaged chunk is listed in
 *       {@code errors} and the partition goes on; a stop request ends it at the next batch,
 *       read or chunk;
 *   <li>{@code publish} — once every partition of the dissection has completed (in an Indexed
 *       Job, the last worker to finish sees it): status {@code uploading}, count the dataset in
 *       ClickHouse, {@code completed}.
 * </ol>
 *
 * The job repository is persistent (JDBC), so a run killed at any moment is restarted: Spring
 * Batch skips the partitions whose step execution completed, and a partition run again first
 * deletes what its interrupted attempt loaded (the entries it owns), so the dataset ends with
 * exactly a clean run's rows. A failure (S3 or ClickHouse still unreachable after the retries)
 * ends it {@code failed} with the reason; a stop ends it {@code cancelled}.
 */
public final class DissectionJob {
    private static final Logger log = LoggerFactory.getLogger(DissectionJob.class);

    /** The chunk being dissected is read up to 8 MB ahead of the engine. */
    static final int READ_AHEAD_BLOCK = 256 << 10;
    static final int READ_AHEAD_BLOCKS = 32;
    static final String PARTITION_KEY = "partition_key";

    private final S3Client s3;
    private final String bucket;
    private final CallsTable calls;
    private final DissectionEngine engine;
    private final Retry retry;
    private final Settings settings;

    /**
     * Batch bounds of the load; how a node is cut ({@code partitionBytes}: a node holding more is
     * cut into time slices; {@code overlap}: what a slice reads before and after itself); and
     * this worker's share ({@code worker} of {@code workers}, an Indexed Job's completion index).
     */
    public record Settings(int batchRows, int batchBytes, long partitionBytes, Duration overlap, int worker, int workers) {
        public static final Settings DEFAULT = new Settings(20_000, 16 << 20, 8L << 30, Duration.ofSeconds(120), 0, 1);

        public Settings withBatchRows(int rows) {
            return new Settings(rows, batchBytes, partitionBytes, overlap, worker, workers);
        }

        public Settings withPartitionBytes(long bytes) {
            return new Settings(batchRows, batchBytes, bytes, overlap, worker, workers);
        }

        public Settings withWorker(int index, int count) {
            return new Settings(batchRows, batchBytes, partitionBytes, overlap, index, count);
        }
    }

    public DissectionJob(S3Client s3, String bucket, CallsTable calls, DissectionEngine engine, Retry retry, Settings settings) {
        this.s3 = s3;
        this.bucket = bucket;
        this.calls = calls;
        this.engine = engine;
        this.retry = retry;
        this.settings = settings;
    }

    Settings settings() {
        return settings;
    }

    public Job job(JobRepository repository, DissectionRun run, TaskExecutor partitions, int parallelism) {
        var listing = new Listing(run);
        var partitioner = new NodePartitioner(listing, settings.partitionBytes(), settings.overlap().toNanos(),
                settings.worker(), settings.workers());
        return new JobBuilder("dissection", repository)
                .start(prepare(repository, run, partitioner))
                .next(dissect(repository, run, partitioner, partitions, parallelism))
                .next(publish(repository, run))
                .listener(endState(run))
                .build();
    }

    /** The snapshot's chunks per node, listed once per run (by {@code prepare}, or by the partitioner on a restart). */
    private final class Listing implements Supplier<Map<String, List<SnapshotChunks.Chunk>>> {
        private final DissectionRun run;
        private Map<String, List<SnapshotChunks.Chunk>> chunks;

        Listing(DissectionRun run) {
            this.run = run;
        }

        @Override
        public synchronized Map<String, List<SnapshotChunks.Chunk>> get() {
            if (chunks == null) {
                chunks = retry.run("listing snapshot " + run.snapshot, () -> SnapshotChunks.list(s3, bucket, run.snapshot));
                if (chunks.isEmpty()) throw new IllegalStateException("snapshot '" + run.snapshot + "' has no captured data");
            }
            return chunks;
        }
    }

    Step prepare(JobRepository repository, DissectionRun run, NodePartitioner partitioner) {
        return new StepBuilder("prepare", repository).tasklet((contribution, context) -> {
            run.publish(State.DOWNLOADING);
            run.plan(partitioner.slices());
            run.publish(null);
            return RepeatStatus.FINISHED;
        }).build();
    }

    Step dissect(JobRepository repository, DissectionRun run, NodePartitioner partitioner, TaskExecutor partitions, int parallelism) {
        Step partition = new StepBuilder("partition", repository).tasklet((contribution, context) -> {
            StepExecution step = context.getStepContext().getStepExecution();
            var slice = NodePartitioner.Slice.fromContext(step.getExecutionContext().getString(PARTITION_KEY), step.getExecutionContext());
            int attempts = (int) repository.getStepExecutionCount(step.getJobExecution().getJobInstance(), step.getStepName());
            dissectPartition(run, run.start(slice, attempts), step.getExecutionContext());
            return RepeatStatus.FINISHED;
        }).build();
        return new StepBuilder("dissect", repository)
                .partitioner("partition", gridSize -> {
                    // the plan again on a restart, where prepare (completed) is skipped
                    run.plan(partitioner.slices());
                    var contexts = partitioner.partition(gridSize);
                    contexts.forEach((key, c) -> c.putString(PARTITION_KEY, key));
                    run.publish(State.RUNNING);
                    return contexts;
                })
                .step(partition)
                .gridSize(parallelism)
                .taskExecutor(partitions)
                .build();
    }

    /** One partition: its chunks in time order through one engine session, its own loader. */
    private void dissectPartition(DissectionRun run, DissectionRun.PartitionRun p, ExecutionContext context) {
        var slice = p.slice;
        if (p.attempts > 1) {
            // an earlier attempt was cut: what it loaded goes, so the entries are made once
            calls.deleteOwned(run.dataset, slice.node(), micros(slice.ownedFromNanos()), micros(slice.ownedToNanos()));
            log.info("{}: partition {} attempt {}: deleted what the interrupted attempt loaded", run.dataset, slice.key(), p.attempts);
        }
        long start = System.nanoTime();
        try (var loader = new EntryLoader(calls, run.dataset, p, settings.batchRows(), settings.batchBytes())) {
            EngineSession dissector = engine.newSession(slice.node(), loader,
                    progress -> p.currentChunkBytes = progress.sourceBytesDone(),
                    () -> run.cancelRequested() || loader.failed());
            dissector.expectSources(slice.chunks().size());
            for (var chunk : slice.chunks()) {
                dissectChunk(run, p, dissector, chunk, loader);
            }
            DissectionStats before = dissector.stats();
            dissector.finish();
            p.packets.addAndGet(dissector.stats().packets() - before.packets());
            loader.flush();
            loader.rethrowFailure();
            p.status = DissectionStatus.Partition.COMPLETED;
        } catch (DissectionRun.CancelledException e) {
            p.status = "cancelled";
            throw e;
        } catch (RuntimeException e) {
            p.status = DissectionStatus.Partition.FAILED;
            throw e;
        } finally {
            recordTimes(run, p, context, System.nanoTime() - start);
        }
    }

    private static long micros(long nanos) {
        return nanos == Long.MIN_VALUE || nanos == Long.MAX_VALUE ? nanos : Math.floorDiv(nanos, 1000);
    }

    /** Where the partition's time went, in its ExecutionContext and the log. */
    private static void recordTimes(DissectionRun run, DissectionRun.PartitionRun p, ExecutionContext context, long wallNanos) {
        double wall = wallNanos / 1e9, s3 = p.s3WaitNanos.sum() / 1e9, loadWait = p.loadWaitNanos.sum() / 1e9;
        double engineSeconds = Math.max(0, wall - s3 - loadWait), load = p.loadNanos.sum() / 1e9;
        context.putLong("packets_processed", p.packets.get());
        context.putLong("entries_created", p.entries.get());
        context.putDouble("seconds", wall);
        context.putDouble("s3_wait_seconds", s3);
        context.putDouble("engine_seconds", engineSeconds);
        context.putDouble("load_seconds", load);
        log.info("{}: partition {} {} (attempt {}): {} packets, {} entries in {} s: waiting for S3 {} s, engine {} s, "
                        + "load {} s on its own thread ({} s of it waited for)", run.dataset, p.slice.key(), p.status, p.attempts,
                p.packets.get(), p.entries.get(), fmt(wall), fmt(s3), fmt(engineSeconds), fmt(load), fmt(loadWait));
    }

    private static String fmt(double seconds) {
        return String.format(java.util.Locale.ROOT, "%.2f", seconds);
    }

    private void dissectChunk(DissectionRun run, DissectionRun.PartitionRun p, EngineSession dissector, SnapshotChunks.Chunk chunk, EntryLoader loader) {
        run.checkCancelled();
        DissectionStats before = dissector.stats();
        // the chunk is checked against the snapshot's sha256 as it streams past, not read twice
        MessageDigest digest = chunk.sha256() == null ? null : sha256();
        boolean goOn;
        try {
            goOn = dissector.feed(PcapSource.stream(chunk.key(), chunk.size(), () -> {
                        InputStream s3Stream = new S3ChunkStream(s3, bucket, chunk.key(), retry, run::checkCancelled);
                        return new ReadAheadInputStream(digest == null ? s3Stream : new DigestInputStream(s3Stream, digest),
                                READ_AHEAD_BLOCK, READ_AHEAD_BLOCKS, chunk.key(), p.s3WaitNanos);
                    })
                    .within(chunk.windowFromNanos(), chunk.windowToNanos())
                    .withWorkloads(ChunkWorkloads.read(s3, bucket, chunk.key(), retry)));
        } catch (java.io.IOException e) {
            // the stream itself failed after its retries: S3 is gone, not the file damaged
            throw new Retry.RemoteFailure("reading " + chunk.key() + " from S3: " + Retry.reason(e), e);
        }
        loader.rethrowFailure();
        p.currentChunkBytes = 0;
        if (goOn && digest != null && !HexFormat.of().formatHex(digest.digest()).equals(chunk.sha256())) {
            leaveOut(run, p, chunk, loader, "sha256 differs from the snapshot's record of it");
            return;
        }
        // a chunk read only for the connections crossing a slice's bounds is its neighbour's to count
        if (p.slice.owns(chunk)) {
            DissectionStats after = dissector.stats();
            p.packets.addAndGet(after.packets() - before.packets());
            String damage = damageBetween(before, after);
            if (damage != null) run.error(chunk.key() + ": " + damage);
            p.chunksBytesDone.addAndGet(chunk.size());
        }
        if (!goOn) run.checkCancelled();
        run.checkCancelled();
    }

    /**
     * A chunk found unreadable after it was fed (its bytes are not what the snapshot recorded):
     * no entry whose request began in its time range stays — what was loaded is deleted, what
     * comes later is dropped — its packets are not counted, and the dissection's errors name it
     * and why; the rest goes on. (A node's chunks do not overlap in time, so its range is its own.)
     */
    private void leaveOut(DissectionRun run, DissectionRun.PartitionRun p, SnapshotChunks.Chunk chunk, EntryLoader loader, String reason) {
        loader.leaveOut(chunk.startNanos(), chunk.endNanos() + 1);
        loader.flush();
        loader.rethrowFailure();
        calls.deleteOwned(run.dataset, chunk.node(), micros(chunk.startNanos()), micros(chunk.endNanos()) + 1)
                .forEach((protocol, n) -> p.countEntries(protocol, -n));
        if (p.slice.owns(chunk)) p.chunksBytesDone.addAndGet(chunk.size());
        run.error(chunk.key() + ": left out: " + reason);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * The damage of the file itself found while reading one chunk ({@code pcap_*}: bad magic,
     * truncation, absurd lengths..., and link types nobody can decode), as
     * {@code kind=count, ... (first message)}; null if the file was whole. What the traffic shows
     * (TCP gaps, truncated packets, lost fragments) is capture reality, not a damaged PCAP, and
     * stays in the engine's counters.
     */
    public static String damageBetween(DissectionStats before, DissectionStats after) {
        var parts = new java.util.ArrayList<String>();
        after.damage().forEach((kind, n) -> {
            long added = n - before.damage().getOrDefault(kind, 0L);
            if (added > 0 && isFileDamage(kind)) parts.add(kind + "=" + added);
        });
        if (parts.isEmpty()) return null;
        String first = after.errors().stream().skip(before.errors().size())
                .filter(e -> isFileDamage(e.substring(0, Math.max(0, e.indexOf(':'))))).findFirst().orElse(null);
        return String.join(", ", parts) + (first == null ? "" : " (" + first + ")");
    }

    private static boolean isFileDamage(String kind) {
        return kind.startsWith("pcap_") || kind.equals("unsupported_link_type");
    }

    Step publish(JobRepository repository, DissectionRun run) {
        return new StepBuilder("publish", repository).tasklet((contribution, context) -> {
            run.publish(null);
            if (!run.allPartitionsCompleted()) {
                log.info("{}: this worker's partitions are done; others are still working", run.dataset);
                return RepeatStatus.FINISHED;
            }
            run.publish(State.UPLOADING);
            var counts = calls.counts(run.dataset);
            run.finish(State.COMPLETED, counts.entries(), counts.firstTs(), counts.lastTs(), null);
            return RepeatStatus.FINISHED;
        }).build();
    }

    /** A stop ends the run {@code cancelled}, anything else unfinished {@code failed} with its reason. */
    JobExecutionListener endState(DissectionRun run) {
        return new JobExecutionListener() {
            @Override
            public void afterJob(JobExecution execution) {
                if (execution.getStatus() == BatchStatus.COMPLETED) return;
                List<Throwable> failures = execution.getAllFailureExceptions();
                boolean cancelled = run.cancelRequested()
                        || failures.stream().anyMatch(t -> t instanceof DissectionRun.CancelledException);
                Long first = null, last = null;
                long count = run.stats().entriesCreated();
                try {
                    var counts = calls.counts(run.dataset);
                    count = counts.entries();
                    first = counts.firstTs();
                    last = counts.lastTs();
                } catch (RuntimeException unreachable) {
                    // ClickHouse may be the reason we are here; the run's own count will do
                }
                // a partition's own failure says more than the partitioned step's "unsuccessful step"
                Throwable cause = failures.stream().filter(t -> !String.valueOf(t.getMessage()).startsWith("Partition handler returned"))
                        .findFirst().orElse(failures.isEmpty() ? null : failures.getFirst());
                String reason = cancelled ? null : cause == null ? "stopped: " + execution.getExitStatus().getExitDescription()
                        : Retry.reason(cause);
                try {
                    run.finish(cancelled ? State.CANCELLED : State.FAILED, count, first, last, reason);
                } catch (DissectionRun.CancelledException deleted) {
                    // the dissection was deleted meanwhile: no status left to write
                } catch (RuntimeException e) {
                    log.error("{}: cannot write the final status ({}): {}", run.dataset, cancelled ? "cancelled" : "failed", e.toString());
                }
                log.info("{}: {}{}", run.dataset, cancelled ? "cancelled" : "failed", reason == null ? "" : ": " + reason);
            }
        };
    }
}
