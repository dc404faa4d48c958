package dev.trawl.functions.access;

import dev.trawl.core.access.BrowserGuard;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/** {@link BrowserGuard} in the security chain, before any identity is looked at: a refused request is a 403. */
final class BrowserGuardFilter extends OncePerRequestFilter {
    private final BrowserGuard guard;
    private final Set<String> exempt;

    BrowserGuardFilter(BrowserGuard guard) {
        this(guard, List.of());
    }

    BrowserGuardFilter(BrowserGuard guard, List<String> exempt) {
        this.guard = guard;
        this.exempt = Set.copyOf(exempt);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        // probes name the pod's address; the answer says only "ok"
        return exempt.contains(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
        var refusal = guard.refusal(request.getMethod(), request.getHeader("Host"), request.getHeader("Origin"), request.getContentType(), hasBody);
        if (refusal.isPresent()) {
            RequestRefusals.write(response, 403, refusal.get());
            return;
        }
        chain.doFilter(request, response);
    }
}
