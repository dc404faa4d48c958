package dev.trawl.dissector;

import dev.trawl.dissector.events.JobSinkEvent;
import dev.trawl.dissector.events.TrawlEventHandler;
import dev.trawl.dissector.job.DissectionLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * The batch dissector, in one of two modes:
 *
 * <ul>
 *   <li><b>service</b> — receives CloudEvents on {@code POST /events} (a Knative Trigger's
 *       subscriber, or the local stack's router) and runs dissections in the background; it
 *       resumes dissections whose process died, looking at start and every few seconds after;
 *   <li><b>JobSink</b> — started as a Kubernetes Job by Knative's JobSink with the event in a
 *       file ({@code TRAWL_JOBSINK_EVENT}, default {@value JobSinkEvent#DEFAULT_PATH}): runs that
 *       one event to its end, without a web server, and exits (0 once the status is final).
 * </ul>
 */
// This port serves /events (which checks the events token) and nothing else. On the local stack's
// classpath, Spring Cloud Function's web layer would publish every Function bean of this app over HTTP
// (its settings lookup included), and Spring Boot's default security would ask for a generated password.
@SpringBootApplication(excludeName = {
        "org.springframework.cloud.function.web.mvc.ReactorAutoConfiguration",
        "org.springframework.cloud.function.web.flux.ReactorAutoConfiguration",
        "org.springframework.cloud.function.web.source.FunctionExporterAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
        "org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.OAuth2ResourceServerAutoConfiguration"})
public class DissectorApplication {
    private static final Logger log = LoggerFactory.getLogger(DissectorApplication.class);

    public static void main(String[] args) {
        Path eventFile = jobSinkEventFile(System::getenv);
        SpringApplication app = new SpringApplication(DissectorApplication.class);
        if (eventFile != null) {
            app.setDefaultProperties(Map.of("spring.main.web-application-type", "none", "trawl.jobsink.event", eventFile.toString()));
            ConfigurableApplicationContext context = app.run(args);
            System.exit(SpringApplication.exit(context));
        }
        app.run(args);
    }

    static Path jobSinkEventFile(java.util.function.Function<String, String> lookup) {
        String configured = lookup.apply("TRAWL_JOBSINK_EVENT");
        Path file = Path.of(configured == null || configured.isBlank() ? JobSinkEvent.DEFAULT_PATH : configured);
        return Files.isRegularFile(file) ? file : null;
    }

    /** JobSink mode: run the mounted event to its end. Service mode: keep resuming what a dead process left running. */
    @Bean
    ApplicationRunner startup(org.springframework.core.env.Environment environment, TrawlEventHandler handler, DissectionLauncher launcher) {
        return (ApplicationArguments args) -> {
            String eventFile = environment.getProperty("trawl.jobsink.event");
            if (eventFile != null) {
                var event = JobSinkEvent.read(Path.of(eventFile));
                log.info("JobSink: running {} ({})", event.type(), event.id());
                handler.handle(event.type(), event.data()).join();
                return;
            }
            String stale = environment.getProperty("TRAWL_DISSECTOR_RESUME_AFTER_S", "60");
            launcher.startResuming(Duration.ofSeconds(Long.parseLong(stale)));
        };
    }
}
