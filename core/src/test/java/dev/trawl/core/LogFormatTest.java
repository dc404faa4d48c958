package dev.trawl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LogFormatTest {
    @Test
    void jsonChoosesSpringBootStructuredLoggingTextOrNothingKeepsPlainLines() {
        assertThat(LogFormat.springConsoleFormat(Map.of("TRAWL_LOG_FORMAT", "json")::get)).isEqualTo("ecs");
        assertThat(LogFormat.springConsoleFormat(Map.of("TRAWL_LOG_FORMAT", " JSON ")::get)).isEqualTo("ecs");
        assertThat(LogFormat.springConsoleFormat(Map.of("TRAWL_LOG_FORMAT", "text")::get)).isNull();
        assertThat(LogFormat.springConsoleFormat(Map.<String, String>of()::get)).isNull();
    }

    @Test
    void anUnknownFormatIsRefusedAtStartNotIgnored() {
        assertThatThrownBy(() -> LogFormat.springConsoleFormat(Map.of("TRAWL_LOG_FORMAT", "jsno")::get))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text or json, not jsno");
    }
}
