package dev.trawl.functions.dissections;

import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.events.EventSender;
import dev.trawl.core.s3.S3Settings;
import dev.trawl.functions.TrawlConfiguration.TrawlEnv;
import dev.trawl.functions.web.FunctionGroup;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The dissection endpoints' parts. {@code TRAWL_DISSECTION_STOP_WAIT_MS} (default 5000): how
 * long a stop waits for the job to confirm; {@code TRAWL_DISSECTION_STALE_S} (default 120): a
 * working status not written for that long belongs to a dead process (stop and delete may then
 * end it themselves).
 */
@Configuration(proxyBeanMethods = false)
@FunctionGroup({"dissections", "databases"})
public class DissectionsConfiguration {

    @Bean
    Dissections dissections(S3Client s3, S3Settings settings, EventSender events, LazyClickHouse dissectionsClickHouse, Clock clock,
            TrawlEnv env) {
        return new Dissections(s3, settings.bucket(), new DissectionStatusStore(s3, settings.bucket()), events, dissectionsClickHouse, clock,
                Duration.ofMillis(Long.parseLong(env.get("TRAWL_DISSECTION_STOP_WAIT_MS", "5000"))),
                Duration.ofSeconds(Long.parseLong(env.get("TRAWL_DISSECTION_STALE_S", "120"))));
    }
}
