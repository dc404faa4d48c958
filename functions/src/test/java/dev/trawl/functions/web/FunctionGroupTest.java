package dev.trawl.functions.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class FunctionGroupTest {
    @Configuration(proxyBeanMethods = false)
    static class Groups {
        @Bean
        @FunctionGroup("snapshots")
        String snapshotsBean() {
            return "s";
        }

        @Bean
        @FunctionGroup({"raw-capture", "data-boundaries"})
        Integer captureBean() {
            return 1;
        }
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Groups.class);

    @Test
    void everyGroupIsActiveWhenNoneIsSelected() {
        runner.run(ctx -> {
            assertThat(ctx).hasBean("snapshotsBean");
            assertThat(ctx).hasBean("captureBean");
        });
    }

    @Test
    void onlyTheSelectedGroupsAreActive() {
        runner.withPropertyValues("TRAWL_FUNCTIONS=data-boundaries, calls").run(ctx -> {
            assertThat(ctx).doesNotHaveBean("snapshotsBean");
            assertThat(ctx).hasBean("captureBean");
        });
    }
}
