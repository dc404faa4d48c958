package dev.trawl.core.access;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What keeps a web page the user happens to open from driving trawl through the browser: a
 * request must name an allowed host (a DNS-rebinding page's requests name the attacker's), and
 * a state-changing one must be JSON (or bodiless) so it cannot be a "simple" cross-site request
 * sent without a CORS preflight, and, when it says where it comes from ({@code Origin}), come
 * from an allowed origin. Loopback names are always allowed; {@code TRAWL_ALLOWED_HOSTS} and
 * {@code TRAWL_ALLOWED_ORIGINS} (comma lists) add the names a cluster is reached by.
 */
public final class BrowserGuard {
    public static final String HOSTS_VARIABLE = "TRAWL_ALLOWED_HOSTS";
    public static final String ORIGINS_VARIABLE = "TRAWL_ALLOWED_ORIGINS";
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "::1", "[::1]");
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private final Set<String> hosts;
    private final Set<String> origins;

    public BrowserGuard(Set<String> hosts, Set<String> origins) {
        this.hosts = lower(hosts);
        this.origins = lower(origins);
    }

    public static BrowserGuard from(Function<String, String> env) {
        return new BrowserGuard(list(env.apply(HOSTS_VARIABLE)), list(env.apply(ORIGINS_VARIABLE)));
    }

    /** The configured origins (for CORS); empty unless {@code TRAWL_ALLOWED_ORIGINS} names some. */
    public Set<String> origins() {
        return origins;
    }

    /**
     * Why this request is refused, or empty when it may proceed.
     *
     * @param host the {@code Host} header (with or without its port)
     * @param origin the {@code Origin} header, or null
     * @param contentType the {@code Content-Type} header, or null
     * @param hasBody whether the request carries a body
     */
    public Optional<String> refusal(String method, String host, String origin, String contentType, boolean hasBody) {
        String name = hostName(host);
        if (name == null || !(LOOPBACK.contains(name) || hosts.contains(name) || hosts.contains("*"))) {
            return Optional.of("Host '" + (host == null ? "" : host) + "' is not an allowed name for this server"
                    + " (loopback names, or " + HOSTS_VARIABLE + ")");
        }
        if (SAFE_METHODS.contains(method.toUpperCase(Locale.ROOT))) return Optional.empty();
        if (origin != null && !allowedOrigin(origin)) {
            return Optional.of("Origin '" + origin + "' may not change anything here (" + ORIGINS_VARIABLE + " lists the allowed origins)");
        }
        if (hasBody && !isJson(contentType)) {
            return Optional.of("a request that changes something must send its body as application/json");
        }
        return Optional.empty();
    }

    private boolean allowedOrigin(String origin) {
        return origins.contains(origin.strip().toLowerCase(Locale.ROOT).replaceAll("/+$", ""));
    }

    static boolean isJson(String contentType) {
        if (contentType == null) return false;
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    /** The host name of a {@code Host} header, lower case, without its port; null when it is not one. */
    static String hostName(String host) {
        if (host == null || host.isBlank()) return null;
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? null : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        if (colon >= 0 && h.indexOf(':', colon + 1) < 0) h = h.substring(0, colon);
        if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
        return h;
    }

    /** Whether a listen address only takes connections from this machine. */
    public static boolean isLoopback(String address) {
        if (address == null || address.isBlank()) return false; // unset: every interface
        try {
            return InetAddress.getByName(address.strip()).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private static Set<String> list(String value) {
        if (value == null || value.isBlank()) return Set.of();
        return new TreeSet<>(Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
    }

    private static Set<String> lower(Set<String> values) {
        var out = new TreeSet<String>();
        for (String v : values) out.add(v.strip().toLowerCase(Locale.ROOT).replaceAll("/+$", ""));
        return Set.copyOf(out);
    }
}
