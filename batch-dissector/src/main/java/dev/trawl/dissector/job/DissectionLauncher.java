package dev.trawl.dissector.job;

import dev.trawl.core.Names;
import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.s3.S3Layout;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.support.TaskExecutorJobOperator;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.core.task.TaskExecutor;
import org.springframework.core.task.support.TaskExecutorAdapter;

/**
 * Starts dissection runs: one thread per running dissection, so dissections of different
 * snapshots run at once, and at most one run per dissection in this process; their partitions
 * share one pool of {@code parallelism} threads. The job repository is persistent (see
 * {@link JobRepositories}): a dissection is one job instance (snapshot, name, when it was
 * requested, and this worker's index), so a run of a dissection whose process died restarts that
 * instance, and only its partitions that had not completed run again.
 */
public final class DissectionLauncher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DissectionLauncher.class);

    private final DissectionJob job;
    private final JobRepository repository;
    private final TaskExecutor partitions;
    private final ExecutorService partitionThreads;
    private final int parallelism;
    private final DissectionStatusStore store;
    private final Clock clock;
    private final long publishIntervalMillis;
    private final Map<String, DissectionRun> active = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("dissection-", 1).factory());
    private final ScheduledExecutorService statusTimer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("dissection-status").daemon(true).factory());

    public DissectionLauncher(DissectionJob job, JobRepository repository, int parallelism, DissectionStatusStore store, Clock clock,
            Duration publishInterval) {
        this.job = job;
        this.repository = repository;
        this.parallelism = parallelism;
        this.partitionThreads = Executors.newFixedThreadPool(parallelism, Thread.ofPlatform().name("partition-", 1).factory());
        this.partitions = new TaskExecutorAdapter(partitionThreads);
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
        return run(snapshot, name, null);
    }

    /**
     * Resumes a run judged dead because its status was last written at {@code silentSince}. It
     * is claimed with a compare-and-set on the status, so it runs only if nobody wrote since (the
     * run was alive after all, or another dissector resumed it first); empty if not claimed.
     */
    public Optional<State> resume(String snapshot, String name, Instant silentSince) {
        return run(snapshot, name, java.util.Objects.requireNonNull(silentSince, "silentSince"));
    }

    private Optional<State> run(String snapshot, String name, Instant silentSince) {
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
            if (silentSince != null) {
                var claimed = new AtomicBoolean();
                store.update(snapshot, name, s -> {
                    claimed.set(!s.status().isTerminal() && silentSince.equals(lastWritten(s)));
                    return claimed.get() ? s.restarted(clock.instant()).withCancelRequestedIf(s.cancelRequested(), clock.instant()) : s;
                });
                if (!claimed.get()) {
                    log.info("{}: written since {}: alive elsewhere or resumed by another dissector, not resumed here", key, silentSince);
                    return Optional.empty();
                }
                log.info("{}: found {} from an interrupted run: resuming", key, status.status().value());
            } else if (status.status() != State.PENDING && job.settings().workers() == 1) {
                // with several workers, a working status is the others' progress, not a dead run
                log.info("{}: found {} from an interrupted run: resuming", key, status.status().value());
                store.update(snapshot, name, s -> s.restarted(clock.instant()).withCancelRequestedIf(s.cancelRequested(), clock.instant()));
            }
            store.find(snapshot, name).ifPresent(run::load);
            var operator = new TaskExecutorJobOperator();
            operator.setJobRepository(repository);
            operator.setJobRegistry(new MapJobRegistry());
            operator.setTaskExecutor(new SyncTaskExecutor());
            operator.afterPropertiesSet();
            // one instance per request of the name: a dissection deleted and asked for again starts afresh
            var parameters = new JobParametersBuilder()
                    .addString("snapshot", snapshot)
                    .addString("name", name)
                    .addLong("requested", status.createdAt() == null ? 0L : status.createdAt().toEpochMilli())
                    .addLong("worker", (long) job.settings().worker())
                    .toJobParameters();
            JobExecution last = repository.getLastJobExecution("dissection", parameters);
            if (last != null && last.isRunning()) {
                // its process died (this one holds the dissection now): mark it failed so it can restart
                log.info("{}: job execution {} was cut off ({}): restarting its unfinished partitions", key, last.getId(), last.getStatus());
                operator.recover(last);
            }
            run.startPublishing(statusTimer);
            try {
                operator.start(job.job(repository, run, partitions, parallelism), parameters);
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
     * {@code staleAfter}: their process died (kill -9, a node lost).
     */
    public int resumeInterrupted(Duration staleAfter) {
        int n = 0;
        for (DissectionStatus s : store.list(null)) {
            if (s.status().isTerminal() || isRunning(s.snapshot(), s.name())) continue;
            Instant updated = lastWritten(s);
            if (updated == null || updated.isAfter(clock.instant().minus(staleAfter))) continue;
            log.info("{}/{}: {} and silent since {}: resuming", s.snapshot(), s.name(), s.status().value(), updated);
            CompletableFuture.supplyAsync(() -> resume(s.snapshot(), s.name(), updated), threads);
            n++;
        }
        return n;
    }

    /**
     * Looks for interrupted dissections now and then every quarter of {@code staleAfter}, not
     * only at start: a process killed a moment before this one started left a status that is
     * not silent long enough yet, and nothing else would ever run it again (its request event
     * was delivered already, and a new request for the name is a 409).
     */
    public void startResuming(Duration staleAfter) {
        long every = Math.max(1_000, staleAfter.toMillis() / 4);
        statusTimer.scheduleWithFixedDelay(() -> {
            try {
                int resumed = resumeInterrupted(staleAfter);
                if (resumed > 0) log.info("resumed {} interrupted dissection(s)", resumed);
            } catch (RuntimeException e) {
                log.warn("looking for interrupted dissections: {}", e.toString());
            }
        }, 0, every, TimeUnit.MILLISECONDS);
    }

    private static Instant lastWritten(DissectionStatus s) {
        return s.updatedAt() == null ? s.createdAt() : s.updatedAt();
    }

    @Override
    public void close() {
        active.values().forEach(DissectionRun::requestCancel);
        threads.shutdown();
        statusTimer.shutdown();
        partitionThreads.shutdown();
    }
}
