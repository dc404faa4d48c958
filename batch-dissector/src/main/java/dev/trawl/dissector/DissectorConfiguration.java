package dev.trawl.dissector;

import com.clickhouse.client.api.Client;
import dev.trawl.core.access.BrowserGuard;
import dev.trawl.core.access.EventsToken;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.s3.S3Settings;
import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.DissectionOptions;
import dev.trawl.dissector.events.RequestGuard;
import dev.trawl.dissector.events.TrawlEventHandler;
import dev.trawl.dissector.job.DissectionJob;
import dev.trawl.dissector.job.DissectionLauncher;
import dev.trawl.dissector.job.JobRepositories;
import org.springframework.batch.core.repository.JobRepository;
import dev.trawl.dissector.load.CallsTable;
import dev.trawl.dissector.realtime.RealtimeDissector;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The dissector's parts, from the environment-style settings of every trawl component
 * ({@code TRAWL_S3_*}, {@code TRAWL_CLICKHOUSE_*}) plus its own:
 * {@code TRAWL_DISSECTOR_BATCH_ROWS}, {@code TRAWL_DISSECTOR_STATUS_INTERVAL_MS},
 * {@code TRAWL_DISSECTOR_RETRIES}, {@code TRAWL_DISSECTOR_RETRY_BACKOFF_MS};
 * {@code TRAWL_DISSECTION_PARALLELISM} (partitions at once, default the cores),
 * {@code TRAWL_DISSECTION_PARTITION_BYTES} (a node holding more is cut in time slices, default 8 GiB),
 * {@code TRAWL_JOB_REPOSITORY_URL} (see {@link JobRepositories}); in an Indexed Job
 * {@code JOB_COMPLETION_INDEX} (set by Kubernetes) of {@code TRAWL_DISSECTION_WORKERS}.
 */
@Configuration(proxyBeanMethods = false)
public class DissectorConfiguration {

    @Bean
    Function<String, String> trawlSettings(Environment environment) {
        return environment::getProperty;
    }

    @Bean
    S3Settings s3Settings(Function<String, String> trawlSettings) {
        return S3Settings.from(trawlSettings);
    }

    @Bean(destroyMethod = "close")
    S3Client s3Client(S3Settings settings) {
        return settings.client();
    }

    @Bean(destroyMethod = "close")
    Client clickHouse(Function<String, String> trawlSettings) {
        // no connection yet: CallsTable migrates the schema on first use
        return ClickHouseSettings.from(trawlSettings).client();
    }

    @Bean
    Retry retry(Function<String, String> trawlSettings) {
        return Retry.from(trawlSettings);
    }

    @Bean
    CallsTable callsTable(Client clickHouse, Retry retry) {
        return new CallsTable(clickHouse, retry);
    }

    /** The engine, with {@code TRAWL_DISSECTOR_BODY_LIMIT} (bytes of each body kept; default the engine's). */
    @Bean
    DissectionEngine dissectionEngine(Function<String, String> trawlSettings) {
        var options = DissectionOptions.defaults();
        String limit = trawlSettings.apply("TRAWL_DISSECTOR_BODY_LIMIT");
        if (limit != null && !limit.isBlank()) options = options.withBodyLimit(Integer.parseInt(limit.strip()));
        return DissectionEngine.builder().options(options).build();
    }

    @Bean
    DissectionStatusStore dissectionStatusStore(S3Client s3, S3Settings settings) {
        return new DissectionStatusStore(s3, settings.bucket());
    }

    @Bean
    DissectionJob dissectionJob(S3Client s3, S3Settings settings, CallsTable calls, DissectionEngine engine, Retry retry,
            Function<String, String> trawlSettings) {
        var job = DissectionJob.Settings.DEFAULT;
        String rows = trawlSettings.apply("TRAWL_DISSECTOR_BATCH_ROWS");
        if (rows != null) job = job.withBatchRows(Integer.parseInt(rows.strip()));
        String bytes = trawlSettings.apply("TRAWL_DISSECTION_PARTITION_BYTES");
        if (bytes != null) job = job.withPartitionBytes(Long.parseLong(bytes.strip()));
        String workers = trawlSettings.apply("TRAWL_DISSECTION_WORKERS");
        String index = trawlSettings.apply("JOB_COMPLETION_INDEX");
        if (workers != null && index != null) job = job.withWorker(Integer.parseInt(index.strip()), Integer.parseInt(workers.strip()));
        return new DissectionJob(s3, settings.bucket(), calls, engine, retry, job);
    }

    /** The job repository is the dissections' own, not a bean: Spring Boot's batch configuration keeps its default one. */
    @Bean(destroyMethod = "close")
    DissectionLauncher dissectionLauncher(DissectionJob job, DissectionStatusStore store, Function<String, String> trawlSettings) {
        JobRepository jobRepository = JobRepositories.create(JobRepositories.dataSource(trawlSettings));
        String ms = trawlSettings.apply("TRAWL_DISSECTOR_STATUS_INTERVAL_MS");
        String parallelism = trawlSettings.apply("TRAWL_DISSECTION_PARALLELISM");
        int threads = parallelism == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(parallelism.strip());
        return new DissectionLauncher(job, jobRepository, threads, store, Clock.systemUTC(),
                Duration.ofMillis(ms == null ? 2000 : Long.parseLong(ms.strip())));
    }

    @Bean(destroyMethod = "close")
    RealtimeDissector realtimeDissector(S3Client s3, S3Settings settings, CallsTable calls, DissectionEngine engine, Retry retry) {
        return new RealtimeDissector(s3, settings.bucket(), calls, engine, retry, RealtimeDissector.Settings.DEFAULT, Clock.systemUTC());
    }

    @Bean
    EventsToken eventsToken(Function<String, String> trawlSettings) {
        return EventsToken.from(trawlSettings);
    }

    @Bean
    FilterRegistrationBean<RequestGuard> requestGuard(Function<String, String> trawlSettings) {
        var registration = new FilterRegistrationBean<>(new RequestGuard(BrowserGuard.from(trawlSettings)));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    @Bean
    TrawlEventHandler trawlEventHandler(DissectionLauncher launcher, RealtimeDissector realtime) {
        return new TrawlEventHandler(launcher, realtime);
    }
}
