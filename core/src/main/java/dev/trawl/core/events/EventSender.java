package dev.trawl.core.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.http.HttpMessageFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import dev.trawl.core.access.EventsToken;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * a producer knows only that address, never who subscribes.
 */
public final class EventSender {
    private static final Logger log = LoggerFactory.getLogger(EventSender.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final URI sink;
    private final String source;
    private final HttpClient http;
    private final String token;

    public EventSender(URI sink, String component) {
        this(sink, component, null);
    }

    /** With the event path's shared secret ({@link EventsToken}), sent with every event when not null. */
    public EventSender(URI sink, String component, String token) {
        this.sink = sink;
        this.source = TrawlEvents.source(component);
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
        return new EventSender(sink == null || sink.isBlank() ? null : URI.create(sink), component, EventsToken.from(lookup).value());
    }

    public URI sink() {
        return sink;
    }

    /**
     * Sends one event and returns its id. Throws {@link IOException} when the sink did not accept
     * it (2xx), so the caller can retry or report: an event is never silently lost.
     */
    public String send(String type, String subject, Object data) throws IOException {
        return send(type, subject, data, null);
    }

    /**
     * Sends one event with a {@code partitionkey} (the CloudEvents partitioning extension): a
     * Kafka-backed Broker keys its records by it, so events of one key (a node's uploads) stay
     * in order on one partition, and one replica of the subscriber gets them all.
     */
    public String send(String type, String subject, Object data, String partitionKey) throws IOException {
        String id = UUID.randomUUID().toString();
        var builder = CloudEventBuilder.v1();
        if (partitionKey != null) builder.withExtension("partitionkey", partitionKey);
        CloudEvent event = builder
                .withId(id)
                .withType(type)
                .withSource(URI.create(source))
                .withSubject(subject)
                .withTime(OffsetDateTime.now())
                .withDataContentType("application/json")
                .withData(JSON.writeValueAsBytes(data))
                .build();
        if (sink == null) {
            log.warn("K_SINK is not set: event {} ({}) has no destination", type, subject);
            return id;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(sink).timeout(Duration.ofSeconds(30));
        if (token != null) request.header(EventsToken.HEADER, token);
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
            throw new IOException("interrupted while sending " + type, e);
        }
        return id;
    }

    /** Reads the JSON data of a received event into a map (receivers use their own types where they like). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> dataAsMap(CloudEvent event) {
        if (event.getData() == null) return Map.of();
        return JSON.readValue(event.getData().toBytes(), Map.class);
    }
}
