package dev.trawl.functions.events;

import dev.trawl.core.events.EventSender;
import dev.trawl.core.events.TrawlEvents;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends trawl's CloudEvents: to {@code K_SINK} when it is set (the Broker, or the local stack's
 * router), else straight to this process's own {@link CloudEventHandler}s on a virtual thread,
 * so one process with no eventing still works end to end (the same handlers run either way).
 */
@Component
public class Events {
    private static final Logger log = LoggerFactory.getLogger(Events.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final EventSender sender;
    private final ObjectProvider<CloudEventHandler> handlers;

    public Events(EventSender sender, ObjectProvider<CloudEventHandler> handlers) {
        this.sender = sender;
        this.handlers = handlers;
    }

    /** Sends one event; throws when the sink refused it, so the caller can undo or report. */
    public void send(String type, String subject, Object data) throws IOException {
        if (sender.sink() != null) {
            sender.send(type, subject, data);
            return;
        }
        CloudEvent event = CloudEventBuilder.v1()
                .withId(UUID.randomUUID().toString())
                .withType(type)
                .withSource(URI.create(TrawlEvents.source("functions")))
                .withSubject(subject)
                .withTime(OffsetDateTime.now())
                .withDataContentType("application/json")
                .withData(JSON.writeValueAsBytes(data))
                .build();
        List<CloudEventHandler> matching = handlers.orderedStream().filter(h -> h.type().equals(type)).toList();
        Thread.ofVirtual().name("event-" + type).start(() -> {
            for (CloudEventHandler h : matching) {
                try {
                    h.handle(event);
                } catch (Exception e) {
                    log.error("in-process handler of {} ({}) failed", type, subject, e);
                }
            }
        });
    }
}
