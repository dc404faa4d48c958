package dev.trawl.functions.events;

import dev.trawl.core.access.EventsToken;
import dev.trawl.functions.TrawlConfiguration.TrawlEnv;
import dev.trawl.functions.web.ApiException;
import dev.trawl.functions.web.ErrorResponses;
import io.cloudevents.CloudEvent;
import io.cloudevents.http.HttpMessageFactory;
import io.cloudevents.rw.CloudEventRWException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /events}: binary-mode CloudEvents from the Broker (or the local router), handed to
 * every {@link CloudEventHandler} of the event's type. A type nobody handles is accepted and
 * ignored (202), so a Trigger added before its handler does not make the Broker retry forever.
 */
@RestController
public class EventsController {
    private static final Logger log = LoggerFactory.getLogger(EventsController.class);

    private final ObjectProvider<CloudEventHandler> handlers;
    private final EventsToken token;

    public EventsController(ObjectProvider<CloudEventHandler> handlers, TrawlEnv env) {
        this.handlers = handlers;
        this.token = EventsToken.from(env::lookup);
    }

    @PostMapping("/events")
    public ResponseEntity<?> receive(HttpServletRequest request, @RequestBody(required = false) byte[] body)
            throws Exception {
        if (!token.accepts(request.getHeader(EventsToken.HEADER))) {
            return ErrorResponses.of(401, "events are accepted only from the broker (" + EventsToken.HEADER + " missing or wrong)");
        }
        CloudEvent event = read(request, body);
        List<CloudEventHandler> matching = handlers.orderedStream().filter(h -> h.type().equals(event.getType())).toList();
        var answer = new LinkedHashMap<String, Object>();
        answer.put("id", event.getId());
        answer.put("type", event.getType());
        if (matching.isEmpty()) {
            log.debug("no handler for {} ({}): ignored", event.getType(), event.getId());
            answer.put("handled", false);
            return ResponseEntity.accepted().body(answer);
        }
        for (CloudEventHandler handler : matching) handler.handle(event);
        answer.put("handled", true);
        return ResponseEntity.ok(answer);
    }

    private static CloudEvent read(HttpServletRequest request, byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) headers.put(name, request.getHeader(name));
        try {
            return HttpMessageFactory.createReader(headers::forEach, body == null ? new byte[0] : body).toEvent();
        } catch (CloudEventRWException | IllegalStateException e) {
            throw new ApiException.BadRequest("not a CloudEvent in binary mode (ce-specversion, ce-id, ce-type, ce-source headers): "
                    + e.getMessage());
        }
    }
}
