package dev.trawl.core.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Function;

/**
 * The shared secret that proves an event came through trawl's own event path (the local router,
 * and every producer that sends to it): {@code TRAWL_EVENTS_TOKEN}, sent in the
 * {@value #HEADER} header. A browser cannot add that header to a cross-site request without a
 * preflight nobody answers, and a process without the secret cannot forge an event that cancels
 * a dissection.
 */
public final class EventsToken {
    public static final String VARIABLE = "TRAWL_EVENTS_TOKEN";
    public static final String HEADER = "Trawl-Events-Token";

    private final byte[] secret;

    private EventsToken(String secret) {
        this.secret = secret == null || secret.isBlank() ? null : secret.strip().getBytes(StandardCharsets.UTF_8);
    }

    /** From {@value #VARIABLE}; when it is unset nothing is required (the cluster relies on the broker's OIDC identity and NetworkPolicies). */
    public static EventsToken from(Function<String, String> env) {
        return new EventsToken(env.apply(VARIABLE));
    }

    public boolean required() {
        return secret != null;
    }

    /** Whether an event carrying this header value may be delivered; compared in constant time. */
    public boolean accepts(String presented) {
        if (secret == null) return true;
        if (presented == null) return false;
        return MessageDigest.isEqual(secret, presented.strip().getBytes(StandardCharsets.UTF_8));
    }

    /** The value to send, or null when none is configured. */
    public String value() {
        return secret == null ? null : new String(secret, StandardCharsets.UTF_8);
    }
}
