package dev.trawl.functions.dissections;

import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.functions.TrawlConfiguration.TrawlEnv;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The functions' one ClickHouse client ({@code TRAWL_CLICKHOUSE_*}), made on first use. Not tied
 * to an endpoint group: the dissection, database and calls endpoints all use it, whichever of
 * them {@code TRAWL_FUNCTIONS} selects.
 */
@Configuration(proxyBeanMethods = false)
public class ClickHouseConfiguration {

    @Bean(destroyMethod = "close")
    LazyClickHouse dissectionsClickHouse(TrawlEnv env) {
        return new LazyClickHouse(ClickHouseSettings.from(env::lookup));
    }
}
