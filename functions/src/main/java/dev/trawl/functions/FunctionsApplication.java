package dev.trawl.functions;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The stateless {@code /mcp} API. Every endpoint is one entry of the route table
 * ({@link dev.trawl.functions.routes.Routes}), handled in its group's package, which also adds
 * {@link dev.trawl.functions.events.CloudEventHandler}s for the events it reacts to. State lives
 * in S3 (and ClickHouse), never in this process.
 */
// no user store: callers are API tokens or JWTs (dev.trawl.functions.access), never a generated password in the log
@SpringBootApplication(excludeName = "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration")
public class FunctionsApplication {
    public static void main(String[] args) {
        SpringApplication.run(FunctionsApplication.class, args);
    }
}
