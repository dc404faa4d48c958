package dev.trawl.functions.access;

import dev.trawl.functions.TrawlConfiguration.TrawlEnv;
import dev.trawl.functions.routes.Role;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who may call the API, from the environment: {@code TRAWL_AUTH} ({@code none}, {@code tokens},
 * {@code oidc} or {@code tokens,oidc}), {@code TRAWL_AUTH_TOKENS_FILE}, {@code TRAWL_AUTH_OIDC_ISSUER},
 * {@code TRAWL_AUTH_OIDC_AUDIENCE}, {@code TRAWL_AUTH_OIDC_ROLES_CLAIM} (default {@code groups}),
 * {@code TRAWL_AUTH_OIDC_ROLE_MAP} ({@code group=role,...}) and {@code TRAWL_AUTH_INSECURE}.
 */
public record AccessSettings(
        boolean tokens,
        boolean oidc,
        Path tokensFile,
        String issuer,
        String audience,
        String rolesClaim,
        Map<String, Role> roleMap,
        boolean insecure) {

    public boolean open() {
        return !tokens && !oidc;
    }

    public static AccessSettings from(TrawlEnv env) {
        String mode = env.get("TRAWL_AUTH", "none").toLowerCase(Locale.ROOT);
        Set<String> modes = new TreeSet<>(Arrays.stream(mode.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
        for (String m : modes) {
            if (!Set.of("none", "tokens", "oidc").contains(m)) {
                throw new IllegalStateException("TRAWL_AUTH='" + mode + "': use none, tokens, oidc or tokens,oidc");
            }
        }
        if (modes.contains("none") && modes.size() > 1) throw new IllegalStateException("TRAWL_AUTH='" + mode + "': none goes alone");
        boolean tokens = modes.contains("tokens");
        boolean oidc = modes.contains("oidc");
        String file = env.lookup("TRAWL_AUTH_TOKENS_FILE");
        if (tokens && (file == null || file.isBlank())) {
            throw new IllegalStateException("TRAWL_AUTH=tokens needs TRAWL_AUTH_TOKENS_FILE (lines '<sha256 hex of a token> <role> <name>')");
        }
        String issuer = env.lookup("TRAWL_AUTH_OIDC_ISSUER");
        String audience = env.lookup("TRAWL_AUTH_OIDC_AUDIENCE");
        if (oidc && (issuer == null || issuer.isBlank() || audience == null || audience.isBlank())) {
            throw new IllegalStateException("TRAWL_AUTH=oidc needs TRAWL_AUTH_OIDC_ISSUER and TRAWL_AUTH_OIDC_AUDIENCE");
        }
        return new AccessSettings(tokens, oidc, tokens ? Path.of(file.strip()) : null,
                issuer == null ? null : issuer.strip(), audience == null ? null : audience.strip(),
                env.get("TRAWL_AUTH_OIDC_ROLES_CLAIM", "groups"), roleMap(env.lookup("TRAWL_AUTH_OIDC_ROLE_MAP")),
                "true".equalsIgnoreCase(env.get("TRAWL_AUTH_INSECURE", "false")));
    }

    /** {@code group=role,group=role}: a group named twice, or an unknown role, is a start-up error, not a silent grant. */
    static Map<String, Role> roleMap(String value) {
        Map<String, Role> map = new LinkedHashMap<>();
        if (value == null || value.isBlank()) return map;
        for (String pair : value.split(",")) {
            if (pair.isBlank()) continue;
            int eq = pair.lastIndexOf('=');
            if (eq <= 0) throw new IllegalStateException("TRAWL_AUTH_OIDC_ROLE_MAP: '" + pair.strip() + "' is not group=role");
            String group = pair.substring(0, eq).strip();
            Role role = Callers.role(pair.substring(eq + 1)).orElseThrow(() -> new IllegalStateException(
                    "TRAWL_AUTH_OIDC_ROLE_MAP: '" + pair.strip() + "' names no role (viewer, analyst, operator, admin)"));
            if (map.put(group, role) != null) throw new IllegalStateException("TRAWL_AUTH_OIDC_ROLE_MAP names '" + group + "' twice");
        }
        return map;
    }
}
