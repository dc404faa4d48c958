package dev.trawl.functions.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.functions.FunctionsApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** {@code TRAWL_AUTH=none} (the default) starts only where nobody else can connect, unless the risk is taken explicitly. */
class OpenOnlyOnLoopbackTest {

    /** Started with command-line properties: they win over the tests' application.properties (loopback). */
    static org.springframework.context.ConfigurableApplicationContext run(String... properties) {
        String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("server.port=0", "spring.main.banner-mode=off"),
                java.util.Arrays.stream(properties)).map(p -> "--" + p).toArray(String[]::new);
        return new SpringApplicationBuilder(FunctionsApplication.class).run(args);
    }

    @Test
    void noAuthenticationOnEveryInterfaceIsRefusedAtStart() {
        assertThatThrownBy(() -> run("server.address=0.0.0.0").close())
                .rootCause().hasMessageContaining("TRAWL_AUTH=none").hasMessageContaining("TRAWL_AUTH_INSECURE=true");
        assertThatThrownBy(() -> run("server.address=0.0.0.0", "TRAWL_AUTH=tokens").close())
                .rootCause().hasMessageContaining("TRAWL_AUTH_TOKENS_FILE");
        assertThatThrownBy(() -> run("server.address=127.0.0.1", "TRAWL_AUTH=oidc,passwords").close())
                .rootCause().hasMessageContaining("TRAWL_AUTH='oidc,passwords'");
    }

    @Test
    void itStartsWhenTheRiskIsTakenExplicitly() {
        try (var context = run("server.address=0.0.0.0", "TRAWL_AUTH_INSECURE=true")) {
            assertThat(context.getBean(AccessSettings.class).open()).isTrue();
        }
    }
}
