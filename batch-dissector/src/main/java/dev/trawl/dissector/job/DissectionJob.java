package dev.trawl.dissector.job;

import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.dissector.ChunkWorkloads;
import dev.trawl.dissector.Retry;
import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.DissectionStats;
import dev.trawl.engine.EngineSession;
import dev.trawl.engine.PcapSource;
import dev.trawl.dissector.load.CallsTable;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The delayed-dissection job, top to bottom:
 *
 * <ol>
 *   <li>{@code prepare} — status {@code downloading}; list the snapshot's chunks per node; drop
 *       whatever an earlier, interrupted run of this dissection loaded (its partitions), so the
 *       run starts from nothing and ends with exactly the entries of a clean run;
 *   <li>{@code dissect} — status {@code running}; per node, its chunks in time order streamed
 *       from S3 through one engine session (reassembly carries across chunks), entries loaded
 *       into ClickHouse in RowBinary batches; a damaged chunk is listed in {@code errors} and the
 *       job goes on; a stop request ends it at the next batch, read or chunk;
 *   <li>{@code publish} — status {@code uploading}; count the dataset in ClickHouse; {@code completed}.
 * </ol>
 *
 * A failure (S3 or ClickHouse still unreachable after the retries) ends it {@code failed} with
 * the reason; a stop ends it {@code cancelled}.
 */
public final class DissectionJob {
    private static final Logger log = LoggerFactory.getLogger(DissectionJob.class);

    /** The chunk being dissected is read up to 8 MB ahead of the engine. */
    static final int READ_AHEAD_BLOCK = 256 << 10;
    static final int READ_AHEAD_BLOCKS = 32;

    private final S3Client s3;
    private final String bucket;
    private final CallsTable calls;
    private final DissectionEngine engine;
    private final Retry retry;
    private final Settings settings;

    /** Batch bounds of the load. */
    public record Settings(int batchRows, int batchBytes) {
        public static final Settings DEFAULT = new Settings(20_000, 16 << 20);
    }

    public DissectionJob(S3Client s3, String bucket, CallsTable calls, DissectionEngine engine, Retry retry, Settings settings) {
        this.s3 = s3;
        this.bucket = bucket;
        this.calls = calls;
        this.engine = engine;
        this.retry = retry;
        this.settings = settings;
    }

    public Job job(JobRepository repository, DissectionRun run) {
        var plan = new Plan();
        return new JobBuilder("dissection", repository)
                .start(prepare(repository, run, plan))
                .next(dissect(repository, run, plan))
                .next(publish(repository, run))
                .listener(endState(run))
                .build();
    }

    /** The chunks found by {@code prepare}, for {@code dissect}. */
    private static final class Plan {
        Map<String, List<SnapshotChunks.Chunk>> chunksByNode = Map.of();
    }

    Step prepare(JobRepository repository, DissectionRun run, Plan plan) {
        return new StepBuilder("prepare", repository).tasklet((contribution, context) -> {
            run.publish(State.DOWNLOADING);
            plan.chunksByNode = retry.run("listing snapshot " + run.snapshot, () -> SnapshotChunks.list(s3, bucket, run.snapshot));
            if (plan.chunksByNode.isEmpty()) {
                throw new IllegalStateException("snapshot '" + run.snapshot + "' has no captured data");
            }
            plan.chunksByNode.values().forEach(chunks -> chunks.forEach(c -> {
                run.pcapFiles.incrementAndGet();
                run.pcapBytes.addAndGet(c.size());
            }));
            int dropped = calls.dropDataset(run.dataset);
            if (dropped > 0) log.info("{}: dropped {} partition(s) left by an earlier run", run.dataset, dropped);
            run.publish(null);
            return RepeatStatus.FINISHED;
        }).build();
    }

    Step dissect(JobRepository repository, DissectionRun run, Plan plan) {
        return new StepBuilder("dissect", repository).tasklet((contribution, context) -> {
            run.publish(State.RUNNING);
            // closing waits for the insert under way: whatever the outcome, ClickHouse then holds all that was sent
            try (var loader = new EntryLoader(calls, run, settings.batchRows(), settings.batchBytes())) {
            for (var node : plan.chunksByNode.entrySet()) {
                // one engine session per node: a TCP stream may cross that node's chunk boundaries
                EngineSession dissector = engine.newSession(node.getKey(), loader,
                        progress -> run.chunkProgress(progress.sourceBytesDone()),
                        () -> run.cancelRequested() || loader.failed());
                dissector.expectSources(node.getValue().size());
                for (var chunk : node.getValue()) {
                    dissectChunk(run, dissector, chunk, loader);
                }
                DissectionStats before = dissector.stats();
                dissector.finish();
                run.packets.addAndGet(dissector.stats().packets() - before.packets());
                loader.rethrowFailure();
            }
            loader.flush();
            loader.rethrowFailure();
            }
            run.publish(null);
            return RepeatStatus.FINISHED;
        }).build();
    }

    private void dissectChunk(DissectionRun run, EngineSession dissector, SnapshotChunks.Chunk chunk, EntryLoader loader) {
        run.checkCancelled();
        DissectionStats before = dissector.stats();
        boolean goOn;
        try {
            goOn = dissector.feed(PcapSource.stream(chunk.key(), chunk.size(),
                    () -> new ReadAheadInputStream(new S3ChunkStream(s3, bucket, chunk.key(), retry, run::checkCancelled),
                            READ_AHEAD_BLOCK, READ_AHEAD_BLOCKS, chunk.key()))
                    .within(chunk.windowFromNanos(), chunk.windowToNanos())
                    .withWorkloads(ChunkWorkloads.read(s3, bucket, chunk.key(), retry)));
        } catch (java.io.IOException e) {
            // the stream itself failed after its retries: S3 is gone, not the file damaged
            throw new Retry.RemoteFailure("reading " + chunk.key() + " from S3: " + Retry.reason(e), e);
        }
        loader.rethrowFailure();
        DissectionStats after = dissector.stats();
        run.packets.addAndGet(after.packets() - before.packets());
        String damage = damageBetween(before, after);
        if (damage != null) run.error(chunk.key() + ": " + damage);
        run.chunkDone(chunk.size());
        if (!goOn) run.checkCancelled();
        run.checkCancelled();
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
                long count = run.entries.get();
                try {
                    var counts = calls.counts(run.dataset);
                    count = counts.entries();
                    first = counts.firstTs();
                    last = counts.lastTs();
                } catch (RuntimeException unreachable) {
                    // ClickHouse may be the reason we are here; the run's own count will do
                }
                String reason = cancelled ? null : failures.isEmpty() ? "stopped: " + execution.getExitStatus().getExitDescription()
                        : Retry.reason(failures.getFirst());
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
