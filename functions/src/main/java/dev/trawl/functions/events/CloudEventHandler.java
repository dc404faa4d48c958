package dev.trawl.functions.events;

import io.cloudevents.CloudEvent;

/**
 * Reacts to one CloudEvent type arriving at {@code POST /events}. An endpoint group declares a
 * bean of this type per event it handles; several handlers of one type all run. Throwing makes
 * the delivery fail (5xx), so the Broker retries: handlers must be idempotent.
 */
public interface CloudEventHandler {
    /** The CloudEvent type handled, e.g. {@code dev.trawl.snapshot.requested}. */
    String type();

    void handle(CloudEvent event) throws Exception;
}
