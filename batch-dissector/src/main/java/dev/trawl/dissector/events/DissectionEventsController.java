package dev.trawl.dissector.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import dev.trawl.core.access.EventsToken;
import dev.trawl.core.events.EventSender;
import dev.trawl.dissector.Retry;
import dev.trawl.dissector.realtime.RealtimeDissector;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /events}: binary-mode CloudEvents from the Broker (a Knative Trigger's subscriber)
 * or the local router. A dissection request is answered 202 at once (the job runs in the
 * background, its progress in status.json). An upload is answered only when its chunk's rows are
 * in ClickHouse (200), so the broker redelivers what a crash cut off; 429 when the node's lane is
 * full, 503 when the lane could not take it: both are delivered again.
 */
@RestController
public class DissectionEventsController {
    /**
     * An upload's answer waits this long for its rows (below a broker's delivery timeout, 60 s
     * locally); past it, 503: the broker delivers it again, and the lane has done it by then or
     * does it in order anyway.
     */
    static final long ACK_WAIT_SECONDS = 45;

    private final TrawlEventHandler handler;
    private final EventsToken token;

    public DissectionEventsController(TrawlEventHandler handler, EventsToken token) {
        this.handler = handler;
        this.token = token;
    }

    @PostMapping("/events")
    public ResponseEntity<Map<String, Object>> receive(@RequestHeader HttpHeaders headers, @RequestBody(required = false) byte[] body) {
        if (!token.accepts(headers.getFirst(EventsToken.HEADER))) {
            return ResponseEntity.status(401).body(Map.of("success", false,
                    "error", "events are accepted only from the broker (" + EventsToken.HEADER + " missing or wrong)"));
        }
        CloudEvent event;
        try {
            Map<String, String> single = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.forEach((k, v) -> single.put(k, v.getFirst()));
            event = HttpMessageFactory.createReader(single, body == null ? new byte[0] : body).toEvent();
        } catch (RuntimeException e) {
            return ResponseEntity.badRequest().body(Map.of("success", false, "error", "not a CloudEvent: " + e.getMessage()));
        }
        if (!TrawlEventHandler.handles(event.getType())) {
            return ResponseEntity.accepted().body(Map.of("success", true, "ignored", event.getType()));
        }
        java.util.concurrent.CompletableFuture<?> work;
        try {
            work = handler.handle(event.getType(), EventSender.dataAsMap(event));
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().body(Map.of("success", false, "error", e.getMessage()));
        } catch (RealtimeDissector.LaneFullException e) {
            return ResponseEntity.status(429).header(HttpHeaders.RETRY_AFTER, "5").body(Map.of("success", false, "error", e.getMessage()));
        }
        if (dev.trawl.core.events.TrawlEvents.PCAP_UPLOADED.equals(event.getType())) {
            try {
                Object rows = work.get(ACK_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
                return ResponseEntity.ok(Map.of("success", true, "type", event.getType(), "id", event.getId(), "rows", rows));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ResponseEntity.status(503).body(Map.of("success", false, "error", "interrupted"));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                return ResponseEntity.status(503).body(Map.of("success", false, "error", "not dissected yet: " + Retry.reason(e)));
            }
        }
        return ResponseEntity.accepted().body(Map.of("success", true, "type", event.getType(), "id", event.getId()));
    }
}
