package dev.trawl.core.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a Broker sees of trawl's events: real HTTP into a local server standing for the Broker's ingress. */
class EventSenderTest {
    final BlockingQueue<Headers> received = new LinkedBlockingQueue<>();
    HttpServer broker;
    URI sink;

    @BeforeEach
    void start() throws Exception {
        broker = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        broker.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            received.add(exchange.getRequestHeaders());
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        broker.start();
        sink = URI.create("http://127.0.0.1:" + broker.getAddress().getPort() + "/");
    }

    @AfterEach
    void stop() {
        broker.stop(0);
    }

    @Test
    void aPartitionKeyTravelsAsTheCloudEventsPartitioningExtension() throws Exception {
        EventSender sender = new EventSender(sink, "test");
        sender.send(TrawlEvents.PCAP_UPLOADED, "raw/node-a/1.pcap", "node-a", Map.of("node", "node-a"));
        Headers headers = received.poll(30, TimeUnit.SECONDS);
        assertThat(headers.getFirst("ce-partitionkey")).isEqualTo("node-a");
        assertThat(headers.getFirst("ce-subject")).isEqualTo("raw/node-a/1.pcap");

        sender.send(TrawlEvents.SNAPSHOT_REQUESTED, "s", Map.of());
        assertThat(received.poll(30, TimeUnit.SECONDS).containsKey("ce-partitionkey")).isFalse();
    }

    @Test
    void theProjectedTokenIsSentAsBearerAndReadAgainAtEverySend(@TempDir Path dir) throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "first-token\n");
        EventSender sender = EventSender.from(Map.of("K_SINK", sink.toString(), "TRAWL_EVENTS_SINK_TOKEN_FILE", token.toString())::get, "test");
        sender.send(TrawlEvents.SNAPSHOT_REQUESTED, "s", Map.of());
        assertThat(received.poll(30, TimeUnit.SECONDS).getFirst("Authorization")).isEqualTo("Bearer first-token");

        Files.writeString(token, "rotated-token");
        sender.send(TrawlEvents.SNAPSHOT_REQUESTED, "s", Map.of());
        assertThat(received.poll(30, TimeUnit.SECONDS).getFirst("Authorization")).isEqualTo("Bearer rotated-token");
    }

    @Test
    void withoutATokenFileNoAuthorizationIsSent() throws Exception {
        EventSender.from(Map.of("K_SINK", sink.toString())::get, "test").send(TrawlEvents.SNAPSHOT_REQUESTED, "s", Map.of());
        assertThat(received.poll(30, TimeUnit.SECONDS).containsKey("Authorization")).isFalse();
    }
}
