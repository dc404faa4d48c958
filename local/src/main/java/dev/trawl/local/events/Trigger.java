package dev.trawl.local.events;

import java.util.Map;
import java.util.Objects;

/**
 * One Knative Trigger as the local router applies it: events whose attributes equal every entry of
 * {@code filter} go to the subscriber ({@code kind}/{@code name}, then {@code path} on it).
 */
public record Trigger(String name, Map<String, String> filter, String subscriberKind, String subscriberName, String path) {
    public Trigger {
        Objects.requireNonNull(name, "name");
        filter = Map.copyOf(filter);
        Objects.requireNonNull(subscriberKind, "subscriber kind");
        Objects.requireNonNull(subscriberName, "subscriber name");
    }

    /** Knative's exact-match filter: every attribute named in the filter must be present and equal. */
    public boolean matches(Map<String, String> attributes) {
        for (var e : filter.entrySet()) {
            if (!e.getValue().equals(attributes.get(e.getKey()))) return false;
        }
        return true;
    }
}
