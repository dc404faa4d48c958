package dev.trawl.core.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import io.micrometer.core.instrument.Metrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import dev.trawl.core.access.EventsToken;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends CloudEvents in binary HTTP mode to {@code K_SINK} (Knative's SinkBinding convention):
 * a producer knows only that address, never who subscribes. In a cluster with Knative's sender
 * identity the Broker takes only events that carry a token of an allowed ServiceAccount: the pod
 * projects one for the Broker's audience into {@code TRAWL_EVENTS_SINK_TOKEN_FILE}, read at every
 * send because the kubelet rotates it.
 */
public final class EventSender {
    private static final Logger log = LoggerFactory.getLogger(EventSender.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final URI sink;
    private final String source;
    private final Path tokenFile;
    private final HttpClient http;
    private final String token;

    public EventSender(URI sink, String component) {
        this(sink, component, null, null);
    }

    /** With the event path's shared secret ({@link EventsToken}), sent with every event when not null. */
    public EventSender(URI sink, String component, String token) {
        this(sink, component, token, null);
    }

    /** Also with a ServiceAccount token file for the Broker's sender identity, read at every send when not null. */
    public EventSender(URI sink, String component, String token, Path tokenFile) {
        this.sink = sink;
        this.source = TrawlEvents.source(component);
        this.tokenFile = tokenFile;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        this.token = token;
    }

    /** From {@code K_SINK}; null sink means events are dropped with a warning (no subscriber configured). */
    public static EventSender fromEnv(String component) {
        return from(System::getenv, component);
    }

    /** From any lookup of {@code K_SINK} (in a Spring app, {@code environment::getProperty}). */
    public static EventSender from(java.util.function.Function<String, String> lookup, String component) {
        String sink = lookup.apply("K_SINK");
        String tokenFile = lookup.apply("TRAWL_EVENTS_SINK_TOKEN_FILE");
        return new EventSender(sink == null || sink.isBlank() ? null : URI.create(sink), component, EventsToken.from(lookup).value(),
                tokenFile == null || tokenFile.isBlank() ? null : Path.of(tokenFile));
    }

    public URI sink() {
        return sink;
    }

    /**
     * Sends one event and returns its id. Throws {@link IOException} when the sink did not accept
     * it (2xx), so the caller can retry or report: an event is never silently lost.
     */
    public String send(String type, String subject, Object data) throws IOException {
        return send(type, subject, null, data);
    }

    /**
     * Sends one event with a {@code partitionkey} (the CloudEvents partitioning extension): a
     * Kafka broker keys its record with it, so events of one key keep their order.
     */
    public String send(String type, String subject, String partitionKey, Object data) throws IOException {
        String id = UUID.randomUUID().toString();
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(id)
                .withType(type)
                .withSource(URI.create(source))
                .withSubject(subject)
                .withTime(OffsetDateTime.now())
                .withDataContentType("application/json")
                .withData(JSON.writeValueAsBytes(data));
        if (partitionKey != null) builder.withExtension("partitionkey", partitionKey);
        CloudEvent event = builder.build();
        if (sink == null) {
            log.warn("K_SINK is not set: event {} ({}) has no destination", type, subject);
            return id;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(sink).timeout(Duration.ofSeconds(30));
        if (token != null) request.header(EventsToken.HEADER, token);
        if (tokenFile != null) request.header("Authorization", "Bearer " + Files.readString(tokenFile).strip());
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        HttpMessageFactory.createWriter(request::header, bytes -> {
                    if (bytes != null) body.writeBytes(bytes);
                })
                .writeBinary(event);
        try {
            HttpResponse<String> response = http.send(
                    request.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("event sink " + sink + " answered " + response.statusCode() + " to " + type + ": " + response.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            count(type, "failed");
            throw new IOException("interrupted while sending " + type, e);
        } catch (IOException e) {
            count(type, "failed");
            throw e;
        }
        count(type, "sent");
        return id;
    }

    // Micrometer's global registry: a Spring Boot app's registry joins it, so trawl_events_total is
    // on the app's /actuator/prometheus whichever component sends
    private static void count(String type, String outcome) {
        Metrics.counter("trawl.events", "type", type, "outcome", outcome).increment();
    }

    /** Reads the JSON data of a received event into a map (receivers use their own types where they like). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> dataAsMap(CloudEvent event) {
        if (event.getData() == null) return Map.of();
        return JSON.readValue(event.getData().toBytes(), Map.class);
    }
}
