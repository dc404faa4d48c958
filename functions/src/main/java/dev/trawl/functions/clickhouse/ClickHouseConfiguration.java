package dev.trawl.functions.clickhouse;

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
    SharedClickHouse sharedClickHouse(TrawlEnv env) {
        return new SharedClickHouse(ClickHouseSettings.from(env::lookup));
    }
}
