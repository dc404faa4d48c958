package dev.trawl.functions.access;

import dev.trawl.core.audit.AuditRecord;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Turns a request into an audit record once it is answered: every call of an audited endpoint
 * (create, stop, delete, export, presign, full-call reads, the audit itself) and every refused
 * request (401, 403), with the caller the security chain established.
 */
final class AuditFilter extends OncePerRequestFilter {
    private final AuditTrail trail;
    private final AccessRules rules;

    AuditFilter(AuditTrail trail, AccessRules rules) {
        this.trail = trail;
        this.rules = rules;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } finally {
            record(request, response.getStatus());
        }
    }

    private void record(HttpServletRequest request, int status) {
        boolean refused = status == 401 || status == 403;
        Callers.Caller caller = Callers.of(SecurityContextHolder.getContext().getAuthentication());
        var rule = rules.of(request);
        String action = rule.map(AccessRules.Rule::audited).orElse(null);
        if (action != null && "true".equalsIgnoreCase(request.getParameter("presign"))) action = action.replace("export", "presign");
        boolean audited = action != null && caller.may(rule.get().auditedFrom());
        if (!refused && !audited) return;
        if (action == null) action = request.getMethod() + " " + request.getRequestURI();
        String target = request.getRequestURI() + (request.getParameter("db") != null ? "?db=" + request.getParameter("db") : "");
        trail.record(new AuditRecord(trail.clock().instant().toString(), caller.actor(), caller.role() == null ? "" : caller.role().id(),
                caller.method(), action, target, null, status, request.getRemoteAddr()));
    }
}
