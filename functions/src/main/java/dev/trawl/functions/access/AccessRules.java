package dev.trawl.functions.access;

import dev.trawl.core.access.Role;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/** The role each endpoint needs, by method and path; a request no rule names is refused. */
public final class AccessRules {

    /**
     * One endpoint's rule. {@code audited}: the audit action a call of it is recorded as (null: only a refusal is), and
     * {@code auditedFrom}: the lowest role whose calls are recorded (a viewer's call list holds no payload; an analyst's does).
     */
    public record Rule(HttpMethod method, String path, Role role, RequestMatcher matcher, String audited, Role auditedFrom) {}

    private final List<Rule> rules;

    private AccessRules(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    public List<Rule> rules() {
        return rules;
    }

    /** The rule of a request, if any endpoint matches it. */
    public Optional<Rule> of(HttpServletRequest request) {
        return rules.stream().filter(r -> r.matcher().matches(request)).findFirst();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();

        /** {@code path} in Kubeshark's {@code :name} style or Spring's {@code {name}}; a GET rule covers HEAD too. */
        public Builder add(String method, String path, Role role) {
            return add(method, path, role, null, role);
        }

        public Builder add(String method, String path, Role role, String audited, Role auditedFrom) {
            String pattern = path.replaceAll(":([A-Za-z_]+)", "{$1}");
            HttpMethod m = HttpMethod.valueOf(method);
            rules.add(new Rule(m, path, role, PathPatternRequestMatcher.withDefaults().matcher(m, pattern), audited, auditedFrom));
            if (m == HttpMethod.GET) {
                rules.add(new Rule(HttpMethod.HEAD, path, role, PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.HEAD, pattern),
                        audited, auditedFrom));
            }
            return this;
        }

        public AccessRules build() {
            return new AccessRules(rules);
        }
    }
}
