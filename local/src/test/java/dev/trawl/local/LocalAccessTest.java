package dev.trawl.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.access.EventsToken;
import dev.trawl.core.events.EventSender;
import dev.trawl.core.events.TrawlEvents;
import dev.trawl.embedded.EmbeddedS3;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local stack's ports as an attacker on the same machine (or a web page in its browser) finds
 * them: no Function bean answers that is not an endpoint (the dissector's settings lookup answered
 * any secret), a forged event reaches no subscriber, a foreign Host is refused everywhere, and the
 * router's own events still arrive. The stack runs as {@code ./trawl up --auth} does: the API asks
 * for the admin token written to the data directory, readable by its owner only.
 */
class LocalAccessTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    @TempDir Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void onlyEndpointsAnswerOnlyTheRoutersEventsAreTakenAndTheApiAsksForItsToken() throws Exception {
        Path tokens = LocalTokens.prepare(dir);
        Path adminToken = dir.resolve(LocalTokens.ADMIN_TOKEN);
        String admin = Files.readString(adminToken).strip();
        assertThat(Files.getPosixFilePermissions(adminToken)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(tokens)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        LocalTokens.prepare(dir);
        assertThat(Files.readString(adminToken).strip()).as("a second start keeps the token").isEqualTo(admin);
        assertThat(Files.readAllLines(tokens).stream().filter(l -> l.contains(LocalTokens.ADMIN_NAME))).hasSize(1);

        // no chDB: this is about the ports, not the data
        Map<String, String> env = Map.of("TRAWL_CLICKHOUSE_URL", "http://127.0.0.1:9", "TRAWL_AUTH", "tokens", "TRAWL_AUTH_TOKENS_FILE", tokens.toString());
        var options = LocalStack.Options.forTest(dir).withEnv(env::get);
        try (LocalStack stack = LocalStack.start(options)) {
            var summary = new java.io.ByteArrayOutputStream();
            stack.printSummary(new java.io.PrintStream(summary, true, StandardCharsets.UTF_8));
            assertThat(summary.toString(StandardCharsets.UTF_8)).contains("TRAWL_AUTH=tokens", adminToken.toString(), "TRAWL_API_TOKEN=");
            assertThat(get(stack.apiUrl() + "/mcp/snapshots", null).statusCode()).isEqualTo(401);
            assertThat(get(stack.apiUrl() + "/mcp/snapshots", admin).statusCode()).isEqualTo(200);
            Map<String, ApplicationContext> apps = stack.applicationContexts();
            assertThat(apps).containsKeys("functions", "dissector");
            Map<String, URI> urls = Map.of("functions", stack.apiUrl(), "dissector", stack.dissectorUrl());
            Set<String> endpoints = new TreeSet<>();
            for (JsonNode e : JSON.readTree(get(stack.apiUrl() + "/mcp", admin).body()).get("endpoints")) endpoints.add(e.get("path").asString());
            String secret = EmbeddedS3.DEFAULT_SECRET_KEY;

            List<String> reachable = new ArrayList<>();
            for (var app : apps.entrySet()) {
                Set<String> beans = new TreeSet<>();
                for (Class<?> type : List.of(Function.class, Supplier.class, Consumer.class)) {
                    beans.addAll(List.of(app.getValue().getBeanNamesForType(type)));
                }
                assertThat(beans).as("functions of %s", app.getKey()).isNotEmpty();
                for (String bean : beans) {
                    for (String path : List.of("/" + bean, "/" + bean + "/AWS_SECRET_ACCESS_KEY", "/mcp/" + bean, "/mcp/" + bean + "/AWS_SECRET_ACCESS_KEY")) {
                        if (endpoints.contains(path)) continue;
                        for (String method : List.of("GET", "POST")) {
                            var r = http.send(HttpRequest.newBuilder(URI.create(urls.get(app.getKey()) + path))
                                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + admin)
                                    .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("\"AWS_SECRET_ACCESS_KEY\""))
                                    .build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() / 100 == 2 || r.body().contains(secret) || r.body().contains("\tat ")) {
                                reachable.add(app.getKey() + " " + method + " " + path + ": " + r.statusCode() + " " + r.body());
                            }
                        }
                    }
                }
            }
            assertThat(reachable).isEmpty();
            var settings = get(stack.dissectorUrl() + "/trawlSettings/AWS_SECRET_ACCESS_KEY", admin);
            assertThat(settings.statusCode()).isEqualTo(404);
            assertThat(settings.body()).doesNotContain(secret);

            // a forged CloudEvent (cancelling a dissection) is refused by every receiver
            for (URI target : List.of(stack.router().url(), URI.create(stack.dissectorUrl() + "/events"), URI.create(stack.apiUrl() + "/events"))) {
                var forged = http.send(HttpRequest.newBuilder(target)
                        .header("ce-specversion", "1.0").header("ce-id", "forged").header("ce-source", "/attacker")
                        .header("ce-type", TrawlEvents.DISSECTION_CANCELLED).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"snapshot\":\"s\",\"name\":\"d\"}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(forged.statusCode()).as("%s: %s", target, forged.body()).isEqualTo(401);
            }
            // a foreign Host (a DNS-rebinding page) is refused on every port
            for (URI base : List.of(stack.router().url(), stack.dissectorUrl(), stack.apiUrl())) {
                assertThat(raw(base, "GET /mcp HTTP/1.1", "Host: rebound.attacker.example")).as("%s", base).startsWith("HTTP/1.1 403");
                assertThat(raw(base, "GET /mcp HTTP/1.1", "Host: localhost:" + base.getPort())).as("%s", base).doesNotStartWith("HTTP/1.1 403");
            }

            // the stack's own producers hold the token, and the router passes it on
            assertThat(stack.lookup().apply(EventsToken.VARIABLE)).isNotBlank();
            long before = stack.router().delivered();
            EventSender.from(stack.lookup(), "test").send(TrawlEvents.PCAP_UPLOADED, "raw/test-node/1-2.pcap", Map.of("key", "raw/test-node/1-2.pcap"));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (stack.router().delivered() == before && System.nanoTime() < deadline) Thread.sleep(100);
            assertThat(stack.router().delivered()).isGreaterThan(before);
        }
    }

    HttpResponse<String> get(String url, String token) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url));
        if (token != null) request.header("Authorization", "Bearer " + token);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String raw(URI base, String requestLine, String host) throws Exception {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.getOutputStream().write((requestLine + "\r\n" + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }
}
