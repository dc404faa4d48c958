package dev.trawl.functions.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.trawl.core.events.EventSender;
import dev.trawl.core.events.TrawlEvents;
import dev.trawl.embedded.EmbeddedS3;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Health and Prometheus metrics on the management port, apart from the API's port: a scraper
 * reaches them without the API's credentials, and nothing else of the actuator answers anywhere.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"TRAWL_FUNCTIONS=snapshots", "management.server.port=0"})
class OperationsEndpointsTest {
    static final EmbeddedS3 S3;

    static {
        try {
            S3 = EmbeddedS3.startForTest(Files.createTempDirectory("operations"));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) {
        S3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
    }

    @AfterAll
    static void stop() throws Exception {
        S3.close();
    }

    @LocalServerPort
    int apiPort;

    @Autowired
    Environment environment;

    HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    int managementPort() {
        return Integer.parseInt(environment.getProperty("local.management.port", "-1"));
    }

    @Test
    void prometheusAndHealthAnswerOnTheManagementPortOnly() throws Exception {
        int management = managementPort();
        assertThat(management).isPositive().isNotEqualTo(apiPort);

        var metrics = get(management, "/actuator/prometheus");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes").contains("application=\"trawl-functions\"");
        assertThat(get(management, "/actuator/health/liveness").body()).contains("\"status\":\"UP\"");
        assertThat(get(management, "/actuator/health/readiness").statusCode()).isEqualTo(200);

        assertThat(get(apiPort, "/actuator/prometheus").statusCode()).isEqualTo(404);
        assertThat(get(apiPort, "/actuator/health").statusCode()).isEqualTo(404);
        for (String hidden : new String[] {"/actuator/env", "/actuator/beans", "/actuator/configprops", "/actuator/heapdump", "/actuator"}) {
            assertThat(get(management, hidden).statusCode()).as(hidden).isEqualTo(404);
        }
    }

    @Test
    void eventsSentAndRefusedAreCountedOnTheAppsEndpoint() throws Exception {
        HttpServer broker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        broker.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/refuse") ? 503 : 202, -1);
            exchange.close();
        });
        broker.start();
        try {
            String base = "http://127.0.0.1:" + broker.getAddress().getPort();
            EventSender.from(Map.of("K_SINK", base + "/")::get, "test").send(TrawlEvents.SNAPSHOT_REQUESTED, "s", Map.of());
            EventSender refused = EventSender.from(Map.of("K_SINK", base + "/refuse")::get, "test");
            try {
                refused.send(TrawlEvents.DISSECTION_CANCELLED, "d", Map.of());
            } catch (java.io.IOException expected) {
                // counted as failed
            }
        } finally {
            broker.stop(0);
        }
        String body = get(managementPort(), "/actuator/prometheus").body();
        assertThat(body).containsPattern("trawl_events_total\\{[^}]*outcome=\"sent\"[^}]*type=\"dev.trawl.snapshot.requested\"[^}]*} [1-9]");
        assertThat(body).containsPattern("trawl_events_total\\{[^}]*outcome=\"failed\"[^}]*type=\"dev.trawl.dissection.cancelled\"[^}]*} [1-9]");
    }
}
