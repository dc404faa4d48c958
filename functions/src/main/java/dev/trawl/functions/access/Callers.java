package dev.trawl.functions.access;

import dev.trawl.functions.routes.Role;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/** Who is calling, as the access rules, the answers and the audit trail name them. */
public final class Callers {
    static final String ROLE_ATTRIBUTE = "trawl_role";
    static final String METHOD_ATTRIBUTE = "trawl_auth";

    /** The caller of a request: its name, highest role (null: none) and how it was authenticated. */
    public record Caller(String actor, Role role, String method) {
        public boolean may(Role needed) {
            return role != null && role.includes(needed);
        }
    }

    private Callers() {}

    /** The authorities of a role: it and every role it includes, as Spring Security's {@code ROLE_} names. */
    public static String[] authorities(Role role) {
        return Arrays.stream(Role.values()).filter(r -> r != Role.ANYONE && role.includes(r)).map(r -> "ROLE_" + r.name()).toArray(String[]::new);
    }

    /** A role by the name tokens files and role maps use ({@code viewer}, ...); {@code anyone} is no role one can hold. */
    public static Optional<Role> role(String id) {
        if (id == null) return Optional.empty();
        return Arrays.stream(Role.values()).filter(r -> r != Role.ANYONE && r.id().equals(id.strip().toLowerCase(java.util.Locale.ROOT))).findFirst();
    }

    public static Caller current() {
        return of(SecurityContextHolder.getContext().getAuthentication());
    }

    public static Caller of(Authentication authentication) {
        if (authentication == null) return new Caller("unauthenticated", null, "none");
        Role role = highest(authentication.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList()).orElse(null);
        if (authentication instanceof AnonymousAuthenticationToken) {
            // TRAWL_AUTH=none on loopback: the anonymous caller holds every role
            return new Caller("anonymous", role, "none");
        }
        String method = authentication instanceof JwtAuthenticationToken ? "oidc" : "token";
        return new Caller(authentication.getName(), role, method);
    }

    static Optional<Role> highest(List<String> authorities) {
        return authorities.stream()
                .filter(a -> a.startsWith("ROLE_"))
                .flatMap(a -> Arrays.stream(Role.values()).filter(r -> r.name().equals(a.substring(5))))
                .max(Comparator.naturalOrder());
    }
}
