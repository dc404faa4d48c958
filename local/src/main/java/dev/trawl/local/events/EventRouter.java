package dev.trawl.local.events;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.trawl.core.access.BrowserGuard;
import dev.trawl.core.access.EventsToken;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local stack's Broker: producers POST CloudEvents to its URL ({@code K_SINK}); it answers 202
 * once the event is accepted and delivers a copy, unchanged (binary or structured mode), to every
 * subscriber whose Trigger matches, retrying with back-off and logging a delivery that never
 * succeeds. Subscribers are named as in the Triggers ({@code Service/trawl-snapshots}) and given
 * local addresses with {@link #subscribe}.
 */
public final class EventRouter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventRouter.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final int MAX_EVENT_BYTES = 8 << 20;
    private static final Set<String> REQUIRED = Set.of("id", "source", "type", "specversion");
    /** Delays before each retry; Knative's default delivery is a few exponential retries like these. */
    private static final long[] RETRY_DELAYS_MS = {200, 500, 1_000, 2_000, 5_000, 10_000};

    private final List<Trigger> triggers;
    private final HttpServer server;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("event-retry").daemon().factory());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, URI> subscribers = new ConcurrentHashMap<>();
    private final Set<String> warnedMissing = ConcurrentHashMap.newKeySet();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    private final EventsToken token;
    private final BrowserGuard guard;

    private EventRouter(List<Trigger> triggers, HttpServer server, EventsToken token, BrowserGuard guard) {
        this.triggers = List.copyOf(triggers);
        this.server = server;
        this.token = token;
        this.guard = guard;
    }

    /**
     * Takes events only from producers holding the stack's {@link EventsToken} (when one is set),
     * and passes it on with every delivery, so a subscriber can tell the router's events from forged ones.
     */
    public static EventRouter start(String host, int port, List<Trigger> triggers, EventsToken token, BrowserGuard guard) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        EventRouter router = new EventRouter(triggers, server, token, guard);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", router::accept);
        server.start();
        return router;
    }

    /** Where a Trigger's subscriber ({@code kind}, {@code name}) listens here; its Trigger's {@code uri} path is appended. */
    public void subscribe(String kind, String name, URI base) {
        subscribers.put(kind + "/" + name, base);
    }

    /** The broker's address: what producers get as {@code K_SINK}. */
    public URI url() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/");
    }

    public List<Trigger> triggers() {
        return triggers;
    }

    public long delivered() {
        return delivered.get();
    }

    public long failed() {
        return failed.get();
    }

    private void accept(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            var headersIn = exchange.getRequestHeaders();
            var refusal = guard.refusal(method, headersIn.getFirst("Host"), headersIn.getFirst("Origin"),
                    headersIn.getFirst("Content-Type"), !"GET".equals(method) && !"HEAD".equals(method));
            if (refusal.isPresent()) {
                respond(exchange, 403, JSON.writeValueAsString(Map.of("error", refusal.get())));
                return;
            }
            if ("GET".equals(method) && exchange.getRequestURI().getPath().matches("/(health|healthz)?")) {
                respond(exchange, 200, "{\"status\":\"UP\"}");
                return;
            }
            if (!"POST".equals(method)) {
                respond(exchange, 405, "{\"error\":\"POST a CloudEvent\"}");
                return;
            }
            if (!token.accepts(headersIn.getFirst(EventsToken.HEADER))) {
                log.warn("refused an event without the stack's events token from {}", exchange.getRemoteAddress());
                respond(exchange, 401, "{\"error\":\"events are accepted only with this stack's " + EventsToken.HEADER + "\"}");
                return;
            }
            byte[] body = exchange.getRequestBody().readNBytes(MAX_EVENT_BYTES + 1);
            if (body.length > MAX_EVENT_BYTES) {
                respond(exchange, 413, "{\"error\":\"event larger than " + MAX_EVENT_BYTES + " bytes\"}");
                return;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.getFirst()));
            Map<String, String> attributes;
            try {
                attributes = attributes(headers, body);
            } catch (RuntimeException e) {
                respond(exchange, 400, "{\"error\":\"not a CloudEvent: " + e.getMessage().replace("\"", "'") + "\"}");
                return;
            }
            List<Trigger> matching = new ArrayList<>();
            for (Trigger t : triggers) if (t.matches(attributes)) matching.add(t);
            if (matching.isEmpty()) log.debug("event {} ({}) matches no Trigger", attributes.get("type"), attributes.get("id"));
            for (Trigger t : matching) {
                URI target = target(t);
                if (target == null) continue;
                Delivery d = new Delivery(t, target, headers, body, attributes);
                senders.execute(() -> attempt(d, 0));
            }
            respond(exchange, 202, "");
        }
    }

    private URI target(Trigger t) {
        URI base = subscribers.get(t.subscriberKind() + "/" + t.subscriberName());
        if (base == null) {
            if (warnedMissing.add(t.name())) {
                log.warn("Trigger {}: {} {} does not run in this stack; its events are dropped", t.name(), t.subscriberKind(), t.subscriberName());
            }
            return null;
        }
        String b = base.toString();
        if (t.path().isEmpty()) return base;
        return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + (t.path().startsWith("/") ? t.path() : "/" + t.path()));
    }

    private record Delivery(Trigger trigger, URI target, Map<String, String> headers, byte[] body, Map<String, String> attributes) {}

    private void attempt(Delivery d, int attempt) {
        String problem;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(d.target()).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()));
            if (token.required()) request.header(EventsToken.HEADER, token.value());
            d.headers().forEach((k, v) -> {
                if (k.startsWith("ce-") || k.equals("content-type")) request.header(k, v);
            });
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                delivered.incrementAndGet();
                log.debug("delivered {} ({}) to {}", d.attributes().get("type"), d.attributes().get("id"), d.target());
                return;
            }
            problem = "HTTP " + response.statusCode() + " " + abbreviate(response.body());
        } catch (IOException e) {
            problem = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (attempt < RETRY_DELAYS_MS.length && !retries.isShutdown()) {
            log.debug("delivery of {} to {} failed ({}), retrying", d.attributes().get("id"), d.target(), problem);
            retries.schedule(() -> senders.execute(() -> attempt(d, attempt + 1)), RETRY_DELAYS_MS[attempt], TimeUnit.MILLISECONDS);
        } else {
            failed.incrementAndGet();
            log.warn("event {} ({}, subject {}) was not delivered to {} (Trigger {}) after {} attempts: {}",
                    d.attributes().get("type"), d.attributes().get("id"), d.attributes().get("subject"), d.target(),
                    d.trigger().name(), attempt + 1, problem);
        }
    }

    /** The context attributes, from ce-* headers (binary mode) or the JSON envelope (structured mode). */
    static Map<String, String> attributes(Map<String, String> headers, byte[] body) {
        Map<String, String> attributes = new LinkedHashMap<>();
        String contentType = headers.getOrDefault("content-type", "");
        if (contentType.toLowerCase(Locale.ROOT).startsWith("application/cloudevents+json")) {
            JsonNode envelope = JSON.readTree(new String(body, StandardCharsets.UTF_8));
            if (envelope == null || !envelope.isObject()) throw new IllegalArgumentException("a structured event must be a JSON object");
            for (var e : envelope.properties()) {
                if (!e.getKey().equals("data") && !e.getKey().equals("data_base64")) attributes.put(e.getKey(), e.getValue().asString());
            }
        } else {
            headers.forEach((k, v) -> {
                if (k.startsWith("ce-")) attributes.put(k.substring(3), v);
            });
        }
        for (String r : REQUIRED) {
            if (attributes.get(r) == null || attributes.get(r).isBlank()) throw new IllegalArgumentException("missing attribute " + r);
        }
        return attributes;
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        retries.shutdownNow();
        senders.shutdownNow();
    }
}
