package dev.trawl.dissector.events;

import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import dev.trawl.core.events.EventSender;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /events}: binary-mode CloudEvents from the Broker (a Knative Trigger's subscriber)
 * or the local router. Answers 202 at once; the work runs in the background, its progress in
 * status.json.
 */
@RestController
public class DissectionEventsController {
    private final TrawlEventHandler handler;

    public DissectionEventsController(TrawlEventHandler handler) {
        this.handler = handler;
    }

    @PostMapping("/events")
    public ResponseEntity<Map<String, Object>> receive(@RequestHeader HttpHeaders headers, @RequestBody(required = false) byte[] body) {
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
        try {
            handler.handle(event.getType(), EventSender.dataAsMap(event));
        } catch (IllegalArgumentException e) {
            return ResponseEntity.badRequest().body(Map.of("success", false, "error", e.getMessage()));
        }
        return ResponseEntity.accepted().body(Map.of("success", true, "type", event.getType(), "id", event.getId()));
    }
}
