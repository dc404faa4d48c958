package dev.trawl.functions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.functions.events.CloudEventHandler;
import dev.trawl.functions.web.ApiException;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/** The skeleton every endpoint group builds on: routing of functions, JSON errors, the listing, events. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"TRAWL_S3_ENDPOINT=http://127.0.0.1:1", "TRAWL_S3_BUCKET=unused"})
class FunctionsApplicationTest {
    @LocalServerPort
    int port;

    @Autowired
    Received received;

    final HttpClient http = HttpClient.newHttpClient();

    @TestConfiguration
    static class Extra {
        @Bean(name = "test-echo")
        Supplier<java.util.Map<String, Object>> testEcho() {
            return () -> java.util.Map.of("hello", "world");
        }

        @Bean(name = "test-missing")
        Function<String, String> testMissing() {
            return name -> {
                throw new ApiException.NotFound("no thing named " + name);
            };
        }

        @Bean
        Received received() {
            return new Received();
        }

        @Bean
        CloudEventHandler testHandler(Received received) {
            return new CloudEventHandler() {
                public String type() {
                    return "dev.trawl.test.happened";
                }

                public void handle(CloudEvent event) {
                    received.events.add(event);
                }
            };
        }
    }

    static class Received {
        final List<CloudEvent> events = new CopyOnWriteArrayList<>();
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void listsTheRoutesOfTheTable() throws Exception {
        var r = get("/mcp");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("{\"method\":\"GET\",\"path\":\"/mcp/snapshots/:name/pcap\",\"description\":\"Export snapshot as PCAP\"}",
                "{\"method\":\"POST\",\"path\":\"/mcp\",");
    }

    /** Requests Tomcat refuses before any filter (an undecodable path, a head too large) are answered in JSON too. */
    @Test
    void refusesWhatTomcatCannotParseInJson() throws Exception {
        for (String head : List.of("GET /mcp/% HTTP/1.1", "GET /mcp/snapshots HTTP/1.1\r\nX-Big: " + "a".repeat(20_000))) {
            try (var socket = new java.net.Socket("127.0.0.1", port)) {
                socket.getOutputStream().write((head + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(answer).as(head).startsWith("HTTP/1.1 400").contains("application/json", "\"success\":false").doesNotContain("<html");
            }
        }
    }

    /**
     * A function bean that is no route of the table (as any library or test may add) is no endpoint (docs/security.md);
     * the table's own suppliers are served (RouteTableTest, and the capture endpoints' tests).
     */
    @Test
    void servesNoFunctionBeanThatIsNotARoute() throws Exception {
        for (String path : List.of("/mcp/test-echo", "/mcp/test-missing/thing-1")) {
            var r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path).contains("\"success\":false", "no such endpoint").doesNotContain("world", "thing-1\"");
            assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).contains("json"));
        }
    }

    /**
     * The configuration lookup is a bean too: were it a Function, Spring Cloud Function would
     * answer any setting; as any other bean that is no function, its name is no endpoint.
     */
    @Test
    void servesNoSetting() throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp/trawlEnv"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("\"TRAWL_S3_BUCKET\"")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).doesNotContain("unused");
    }

    @Test
    void answersHealth() throws Exception {
        assertThat(get("/healthz").body()).contains("ok");
    }

    @Test
    void dispatchesABinaryCloudEventToTheHandlersOfItsType() throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                .header("ce-specversion", "1.0").header("ce-id", "e-1").header("ce-type", "dev.trawl.test.happened")
                .header("ce-source", "/trawl/test").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(received.events).anySatisfy(e -> {
            assertThat(e.getId()).isEqualTo("e-1");
            assertThat(new String(e.getData().toBytes())).isEqualTo("{\"a\":1}");
        });

        var unknown = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                .header("ce-specversion", "1.0").header("ce-id", "e-2").header("ce-type", "dev.trawl.nobody")
                .header("ce-source", "/trawl/test").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(202);

        var notAnEvent = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("hi")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(notAnEvent.statusCode()).isEqualTo(400);
        assertThat(notAnEvent.body()).contains("\"success\":false", "CloudEvent");
    }
}
