package dev.trawl.functions;

import dev.trawl.core.events.EventSender;
import dev.trawl.core.s3.S3Settings;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The shared clients, from the environment-style names every component reads
 * ({@code TRAWL_S3_*}, {@code K_SINK}, ...). Looked up through Spring's {@link Environment}, so a
 * pod's env vars and the local stack's properties are the same names.
 */
@Configuration(proxyBeanMethods = false)
public class TrawlConfiguration {

    /** The one configuration lookup: pass it to {@code S3Settings.from}, {@code EventSender.from}, etc. */
    @Bean
    public TrawlEnv trawlEnv(Environment environment) {
        return environment::getProperty;
    }

    @Bean
    public S3Settings s3Settings(TrawlEnv env) {
        return S3Settings.from(env::lookup);
    }

    @Bean(destroyMethod = "close")
    public S3Client s3Client(S3Settings settings) {
        return settings.client();
    }

    @Bean(destroyMethod = "close")
    public S3Presigner s3Presigner(S3Settings settings) {
        return settings.presigner();
    }

    @Bean
    public EventSender eventSender(TrawlEnv env) {
        return EventSender.from(env::lookup, "functions");
    }

    @Bean
    public Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * A lookup of environment-style configuration names; null when unset. Not a
     * {@code java.util.function.Function}: Spring Cloud Function would serve such a bean at
     * {@code POST /mcp/trawlEnv} and answer any setting, secrets too, to whoever asks.
     */
    @FunctionalInterface
    public interface TrawlEnv {
        String lookup(String name);

        default String get(String name, String fallback) {
            String value = lookup(name);
            return value == null || value.isBlank() ? fallback : value;
        }
    }
}
