package dev.trawl.functions.calls;

import java.time.Clock;
import java.util.List;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.clickhouse.client.api.Client;

import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.s3.S3Settings;
import dev.trawl.functions.TrawlConfiguration.TrawlEnv;
import dev.trawl.functions.web.McpEndpoint;
import dev.trawl.functions.web.McpEndpointGroup;

import software.amazon.awssdk.services.s3.S3Client;

/** The calls endpoints' beans: ClickHouse from {@code TRAWL_CLICKHOUSE_*}, dissection states from S3. */
@Configuration(proxyBeanMethods = false)
public class CallsConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(Client.class)
    public Client clickHouseClient(TrawlEnv env) {
        return ClickHouseSettings.from(env).client();
    }

    @Bean
    @ConditionalOnMissingBean(ClickHouseRows.class)
    public ClickHouseRows clickHouseRows(Client client) {
        return new ClientRows(client, 60);
    }

    @Bean
    @ConditionalOnMissingBean(DissectionStatusStore.class)
    public DissectionStatusStore dissectionStatusStore(S3Client s3, S3Settings settings) {
        return new DissectionStatusStore(s3, settings.bucket());
    }

    @Bean
    public CallsService callsService(ClickHouseRows rows, DissectionStatusStore statuses, Clock clock) {
        return new CallsService(rows, new Datasets(statuses)::resolve, clock);
    }

    @Bean
    public McpEndpointGroup callsEndpoints() {
        return () -> List.of(
                new McpEndpoint("GET", "/mcp/calls",
                        "API calls matching a KFL filter, newest first: kfl, db=<snapshot>/<dissection> (none: real time), "
                                + "limit (100, at most 1000), start/end (ms), format=compact|full"),
                new McpEndpoint("GET", "/mcp/calls/:id",
                        "one call with headers and payloads: db, max_payload (characters per body, default 65536)"));
    }
}
