package dev.trawl.local.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.trawl.core.access.BrowserGuard;
import dev.trawl.core.access.EventsToken;
import dev.trawl.core.events.EventSender;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The router with real HTTP on both sides: trawl's own EventSender in, local servers as subscribers. */
class EventRouterTest {
    record Received(String path, String type, String subject, String body) {}

    final BlockingQueue<Received> snapshots = new LinkedBlockingQueue<>();
    final BlockingQueue<Received> dissector = new LinkedBlockingQueue<>();
    final AtomicInteger dissectorFailuresLeft = new AtomicInteger();
    HttpServer snapshotsServer;
    HttpServer dissectorServer;
    EventRouter router;

    static final List<Trigger> TRIGGERS = List.of(
            new Trigger("snap", Map.of("type", "dev.trawl.pcap.uploaded"), "Service", "trawl-snapshots", "/events"),
            new Trigger("rt", Map.of("type", "dev.trawl.pcap.uploaded"), "Service", "trawl-dissector", "/events"),
            new Trigger("job", Map.of("type", "dev.trawl.dissection.requested"), "JobSink", "trawl-dissection-jobs", ""),
            new Trigger("nowhere", Map.of("type", "dev.trawl.other"), "Service", "not-running", "/events"));

    HttpServer subscriber(BlockingQueue<Received> into, AtomicInteger failuresLeft) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (failuresLeft != null && failuresLeft.getAndDecrement() > 0) {
                exchange.sendResponseHeaders(503, -1);
            } else {
                into.add(new Received(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("ce-type"),
                        exchange.getRequestHeaders().getFirst("ce-subject"), new String(body)));
                exchange.sendResponseHeaders(202, -1);
            }
            exchange.close();
        });
        server.start();
        return server;
    }

    void start() throws Exception {
        snapshotsServer = subscriber(snapshots, null);
        dissectorServer = subscriber(dissector, dissectorFailuresLeft);
        router = EventRouter.start("127.0.0.1", 0, TRIGGERS, EventsToken.from(name -> null), BrowserGuard.from(name -> null));
        router.subscribe("Service", "trawl-snapshots", URI.create("http://127.0.0.1:" + snapshotsServer.getAddress().getPort()));
        router.subscribe("Service", "trawl-dissector", URI.create("http://127.0.0.1:" + dissectorServer.getAddress().getPort()));
        router.subscribe("JobSink", "trawl-dissection-jobs", URI.create("http://127.0.0.1:" + dissectorServer.getAddress().getPort() + "/events"));
    }

    @AfterEach
    void stop() {
        if (router != null) router.close();
        if (snapshotsServer != null) snapshotsServer.stop(0);
        if (dissectorServer != null) dissectorServer.stop(0);
    }

    @Test
    void deliversEachEventToTheSubscribersOfItsType() throws Exception {
        start();
        EventSender sender = EventSender.from(Map.of("K_SINK", router.url().toString())::get, "test");
        sender.send("dev.trawl.pcap.uploaded", "raw/n1/1-2.pcap", Map.of("key", "raw/n1/1-2.pcap"));
        Received s = snapshots.poll(10, TimeUnit.SECONDS);
        Received d = dissector.poll(10, TimeUnit.SECONDS);
        assertThat(s).isEqualTo(new Received("/events", "dev.trawl.pcap.uploaded", "raw/n1/1-2.pcap", "{\"key\":\"raw/n1/1-2.pcap\"}"));
        assertThat(d).isEqualTo(s);

        sender.send("dev.trawl.dissection.requested", "snap/d1", Map.of("snapshot", "snap"));
        Received job = dissector.poll(10, TimeUnit.SECONDS);
        assertThat(job.path()).isEqualTo("/events");
        assertThat(job.type()).isEqualTo("dev.trawl.dissection.requested");
        assertThat(snapshots.poll(300, TimeUnit.MILLISECONDS)).as("snapshots did not subscribe to dissections").isNull();

        // accepted even when its subscriber is not running here, and dropped with a warning
        sender.send("dev.trawl.other", "x", Map.of());
        assertThat(snapshots.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void retriesASubscriberThatFailsThenDeliversOnce() throws Exception {
        dissectorFailuresLeft.set(2);
        start();
        EventSender sender = EventSender.from(Map.of("K_SINK", router.url().toString())::get, "test");
        sender.send("dev.trawl.dissection.requested", "snap/d2", Map.of());
        Received job = dissector.poll(15, TimeUnit.SECONDS);
        assertThat(job).isNotNull();
        assertThat(job.subject()).isEqualTo("snap/d2");
        assertThat(dissector.poll(1, TimeUnit.SECONDS)).isNull();
        assertThat(router.delivered()).isEqualTo(1);
    }

    @Test
    void structuredModeIsRoutedAndAnythingElseIsA400() throws Exception {
        start();
        HttpClient http = HttpClient.newHttpClient();
        String structured = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/t\",\"type\":\"dev.trawl.pcap.uploaded\",\"subject\":\"s\",\"data\":{}}";
        HttpResponse<String> ok = http.send(HttpRequest.newBuilder(router.url()).header("Content-Type", "application/cloudevents+json")
                .POST(HttpRequest.BodyPublishers.ofString(structured)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(202);
        assertThat(snapshots.poll(10, TimeUnit.SECONDS).body()).isEqualTo(structured);
        HttpResponse<String> bad = http.send(HttpRequest.newBuilder(router.url()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("missing attribute");
    }
}
