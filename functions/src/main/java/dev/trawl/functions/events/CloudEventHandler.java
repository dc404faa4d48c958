package dev.trawl.functions.events;

import dev.trawl.core.events.EventSender;
import io.cloudevents.CloudEvent;
import java.util.Map;

/**
 * Reacts to one CloudEvent type arriving at {@code POST /events}. An endpoint group declares a
 * bean of this type per event it handles; several handlers of one type all run. Throwing makes
 * the delivery fail (5xx), so the Broker retries: handlers must be idempotent.
 */
public interface CloudEventHandler {
    /** The CloudEvent type handled, e.g. {@code dev.trawl.snapshot.requested}. */
    String type();

    void handle(CloudEvent event) throws Exception;

    /** The event's JSON data as a map, for a handler that needs only some of its fields. */
    interface DataHandler {
        void handle(Map<String, Object> data) throws Exception;
    }

    static CloudEventHandler of(String type, DataHandler handler) {
        return new CloudEventHandler() {
            @Override
            public String type() {
                return type;
            }

            @Override
            public void handle(CloudEvent event) throws Exception {
                handler.handle(EventSender.dataAsMap(event));
            }
        };
    }
}
