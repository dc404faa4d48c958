package dev.trawl.functions.access;

import dev.trawl.core.audit.AuditRecord;
import dev.trawl.functions.routes.Role;
import dev.trawl.functions.routes.Route;
import dev.trawl.functions.routes.Routes;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Turns a request into an audit record once it is answered, with the caller the security chain
 * established: every call of a route that needs more than seeing metadata (export, presign, verify,
 * create, stop, delete, the audit itself), every call that got payloads (a caller holding the
 * route's payload role: full calls), and every refused request (401, 403). The action is the
 * route's name ({@code presign_snapshot_pcap} for an export answered with a presigned URL).
 */
final class AuditFilter extends OncePerRequestFilter {
    private final AuditTrail trail;

    AuditFilter(AuditTrail trail) {
        this.trail = trail;
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

    static boolean audited(Route route, Callers.Caller caller) {
        return route.role().includes(Role.ANALYST) || (route.payloadRole() != null && caller.may(route.payloadRole()));
    }

    private void record(HttpServletRequest request, int status) {
        boolean refused = status == 401 || status == 403;
        Callers.Caller caller = Callers.of(SecurityContextHolder.getContext().getAuthentication());
        Optional<Route> route = Routes.find(request.getMethod(), request.getRequestURI());
        if (!refused && !(route.isPresent() && audited(route.get(), caller))) return;
        String action = route.map(Route::name).orElse(request.getMethod() + " " + request.getRequestURI());
        if ("true".equalsIgnoreCase(request.getParameter("presign"))) action = action.replace("export_", "presign_");
        String target = request.getRequestURI() + (request.getParameter("db") != null ? "?db=" + request.getParameter("db") : "");
        trail.record(new AuditRecord(trail.clock().instant().toString(), caller.actor(), caller.role() == null ? "" : caller.role().id(),
                caller.method(), action, target, null, status, request.getRemoteAddr()));
    }
}
