package dev.trawl.dissector;

import com.clickhouse.client.api.Client;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.s3.S3Settings;
import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.Redaction;
import dev.trawl.engine.DissectionOptions;
import dev.trawl.dissector.events.TrawlEventHandler;
import dev.trawl.dissector.job.DissectionJob;
import dev.trawl.dissector.job.DissectionLauncher;
import dev.trawl.dissector.load.CallsTable;
import dev.trawl.dissector.realtime.RealtimeDissector;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The dissector's parts, from the environment-style settings of every trawl component
 * ({@code TRAWL_S3_*}, {@code TRAWL_CLICKHOUSE_*}) plus its own:
 * {@code TRAWL_DISSECTOR_BATCH_ROWS}, {@code TRAWL_DISSECTOR_STATUS_INTERVAL_MS},
 * {@code TRAWL_DISSECTOR_RETRIES}, {@code TRAWL_DISSECTOR_RETRY_BACKOFF_MS}.
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

    /**
     * The engine, with {@code TRAWL_DISSECTOR_BODY_LIMIT} (bytes of each body kept; default the
     * engine's) and secrets redacted by the {@code TRAWL_REDACT*} settings (on by default), for
     * the job and the real-time lane alike.
     */
    @Bean
    DissectionEngine dissectionEngine(Function<String, String> trawlSettings) {
        var options = DissectionOptions.defaults();
        String limit = trawlSettings.apply("TRAWL_DISSECTOR_BODY_LIMIT");
        if (limit != null && !limit.isBlank()) options = options.withBodyLimit(Integer.parseInt(limit.strip()));
        return DissectionEngine.builder().options(options).redaction(Redaction.fromSettings(trawlSettings)).build();
    }

    @Bean
    DissectionStatusStore dissectionStatusStore(S3Client s3, S3Settings settings) {
        return new DissectionStatusStore(s3, settings.bucket());
    }

    @Bean
    DissectionJob dissectionJob(S3Client s3, S3Settings settings, CallsTable calls, DissectionEngine engine, Retry retry,
            Function<String, String> trawlSettings) {
        String rows = trawlSettings.apply("TRAWL_DISSECTOR_BATCH_ROWS");
        var batch = rows == null ? DissectionJob.Settings.DEFAULT
                : new DissectionJob.Settings(Integer.parseInt(rows.strip()), DissectionJob.Settings.DEFAULT.batchBytes());
        return new DissectionJob(s3, settings.bucket(), calls, engine, retry, batch);
    }

    @Bean(destroyMethod = "close")
    DissectionLauncher dissectionLauncher(DissectionJob job, DissectionStatusStore store, Function<String, String> trawlSettings) {
        String ms = trawlSettings.apply("TRAWL_DISSECTOR_STATUS_INTERVAL_MS");
        return new DissectionLauncher(job, store, Clock.systemUTC(), Duration.ofMillis(ms == null ? 2000 : Long.parseLong(ms.strip())));
    }

    @Bean(destroyMethod = "close")
    RealtimeDissector realtimeDissector(S3Client s3, S3Settings settings, CallsTable calls, DissectionEngine engine, Retry retry) {
        return new RealtimeDissector(s3, settings.bucket(), calls, engine, retry);
    }

    @Bean
    TrawlEventHandler trawlEventHandler(DissectionLauncher launcher, RealtimeDissector realtime) {
        return new TrawlEventHandler(launcher, realtime);
    }
}
