package dev.trawl.functions;

import dev.trawl.core.LogFormat;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The stateless {@code /mcp} API. Every endpoint group lives in its own package and adds
 * itself: its functions (beans), an {@link dev.trawl.functions.web.McpEndpointGroup} for the
 * {@code GET /mcp} listing, and {@link dev.trawl.functions.events.CloudEventHandler}s for the
 * events it reacts to. State lives in S3 (and ClickHouse), never in this process.
 */
@SpringBootApplication
public class FunctionsApplication {
    public static void main(String[] args) {
        LogFormat.applyToSpringBoot(System::getenv);
        SpringApplication.run(FunctionsApplication.class, args);
    }
}
