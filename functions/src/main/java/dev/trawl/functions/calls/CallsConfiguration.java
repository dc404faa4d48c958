package dev.trawl.functions.calls;

import dev.trawl.functions.web.FunctionGroup;
import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.s3.S3Settings;
import dev.trawl.functions.clickhouse.SharedClickHouse;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * The calls endpoints' beans: ClickHouse through the functions' shared {@link SharedClickHouse}
 * (schema migrated on first use), dissection states from S3.
 */
@Configuration(proxyBeanMethods = false)
@FunctionGroup("calls")
public class CallsConfiguration {

    /** How long one /mcp/calls query may run before the caller gets a 500 that says so. */
    static final long QUERY_TIMEOUT_SECONDS = 60;

    @Bean
    @ConditionalOnMissingBean(ClickHouseRows.class)
    public ClickHouseRows clickHouseRows(SharedClickHouse clickHouse) {
        return (sql, params) -> clickHouse.with(client -> new ClientRows(client, QUERY_TIMEOUT_SECONDS).select(sql, params));
    }

    @Bean
    public FlowsService flowsService(ClickHouseRows rows, S3Client s3, S3Settings settings, Clock clock) {
        return new FlowsService(rows, new Datasets(new DissectionStatusStore(s3, settings.bucket()))::resolve, clock);
    }

    @Bean
    public CallsService callsService(ClickHouseRows rows, S3Client s3, S3Settings settings, Clock clock) {
        return new CallsService(rows, new Datasets(new DissectionStatusStore(s3, settings.bucket()))::resolve, clock);
    }
}
