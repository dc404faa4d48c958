package dev.trawl.dissector.job;

import dev.trawl.core.Names;
import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.s3.S3Layout;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.support.TaskExecutorJobOperator;
import org.springframework.batch.core.repository.support.ResourcelessJobRepository;
import org.springframework.core.task.SyncTaskExecutor;

/**
 * Starts dissection runs: one thread per running dissection, so dissections of different
 * snapshots run at once, and at most one run per dissection in this process. Each run gets its
 * own in-memory job repository: the job's durable state is status.json and ClickHouse, and a
 * re-run starts over (see {@link DissectionJob}), so Spring Batch's metadata need not outlive the run.
 */
public final class DissectionLauncher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DissectionLauncher.class);

    private final DissectionJob job;
    private final DissectionStatusStore store;
    private final Clock clock;
    private final long publishIntervalMillis;
    private final Map<String, DissectionRun> active = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("dissection-", 1).factory());
    private final ScheduledExecutorService statusTimer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("dissection-status").daemon(true).factory());

    public DissectionLauncher(DissectionJob job, DissectionStatusStore store, Clock clock, Duration publishInterval) {
        this.job = job;
        this.store = store;
        this.clock = clock;
        this.publishIntervalMillis = publishInterval.toMillis();
    }

    /** Runs the dissection in the background; the future gives its end state (empty: not run). */
    public CompletableFuture<Optional<State>> submit(String snapshot, String name) {
        return CompletableFuture.supplyAsync(() -> run(snapshot, name), threads);
    }

    /**
     * Runs the dissection here and now, unless it is finished, unknown or already running in
     * this process. A status left in a working state by a killed run is run again from the start.
     */
    public Optional<State> run(String snapshot, String name) {
        Names.require("snapshot", snapshot);
        Names.require("dissection", name);
        String key = S3Layout.dataset(snapshot, name);
        Optional<DissectionStatus> found = store.find(snapshot, name);
        if (found.isEmpty()) {
            log.warn("{}: no status (never requested, or deleted): not run", key);
            return Optional.empty();
        }
        DissectionStatus status = found.get();
        if (status.status().isTerminal()) {
            log.info("{}: already {}: not run again", key, status.status().value());
            return Optional.of(status.status());
        }
        var run = new DissectionRun(snapshot, name, key, store, clock, publishIntervalMillis);
        if (active.putIfAbsent(key, run) != null) {
            log.info("{}: already running in this process", key);
            return Optional.empty();
        }
        try {
            if (status.status() != State.PENDING) {
                log.info("{}: found {} from an interrupted run: starting over", key, status.status().value());
                store.update(snapshot, name, s -> s.restarted(clock.instant()).withCancelRequestedIf(s.cancelRequested(), clock.instant()));
            }
            var repository = new ResourcelessJobRepository();
            var operator = new TaskExecutorJobOperator();
            operator.setJobRepository(repository);
            operator.setJobRegistry(new MapJobRegistry());
            operator.setTaskExecutor(new SyncTaskExecutor());
            operator.afterPropertiesSet();
            var parameters = new JobParametersBuilder()
                    .addString("snapshot", snapshot)
                    .addString("name", name)
                    .addLong("started", clock.millis())
                    .toJobParameters();
            run.startPublishing(statusTimer);
            try {
                operator.start(job.job(repository, run), parameters);
            } finally {
                run.stopPublishing();
            }
            State end = store.find(snapshot, name).map(DissectionStatus::status).orElse(run.state());
            log.info("{}: {}", key, end.value());
            return Optional.of(end);
        } catch (Exception e) {
            log.error("{}: could not run: {}", key, e.toString());
            throw new IllegalStateException("dissection " + key + " could not run: " + e.getMessage(), e);
        } finally {
            active.remove(key);
        }
    }

    /** A stop request for a run of this process takes effect at its next clean point. */
    public boolean cancel(String snapshot, String name) {
        DissectionRun run = active.get(S3Layout.dataset(snapshot, name));
        if (run == null) return false;
        run.requestCancel();
        return true;
    }

    public boolean isRunning(String snapshot, String name) {
        return active.containsKey(S3Layout.dataset(snapshot, name));
    }

    /**
     * Re-runs the dissections whose status is in a working state but has not been written for
     * {@code staleAfter}: their process died (kill -9, a node lost). Called at start.
     */
    public int resumeInterrupted(Duration staleAfter) {
        int n = 0;
        for (DissectionStatus s : store.list(null)) {
            if (s.status().isTerminal() || isRunning(s.snapshot(), s.name())) continue;
            var updated = s.updatedAt() == null ? s.createdAt() : s.updatedAt();
            if (updated != null && updated.isAfter(clock.instant().minus(staleAfter))) continue;
            log.info("{}/{}: {} and silent since {}: resuming", s.snapshot(), s.name(), s.status().value(), updated);
            submit(s.snapshot(), s.name());
            n++;
        }
        return n;
    }

    @Override
    public void close() {
        active.values().forEach(DissectionRun::requestCancel);
        threads.shutdown();
        statusTimer.shutdown();
    }
}
