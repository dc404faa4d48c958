package dev.trawl.dissector.events;

import dev.trawl.core.access.BrowserGuard;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/** Every request to the dissector's port names an allowed host, and a POST is JSON from no foreign origin ({@link BrowserGuard}). */
public class RequestGuard extends OncePerRequestFilter {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final BrowserGuard guard;

    public RequestGuard(BrowserGuard guard) {
        this.guard = guard;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        var refusal = guard.refusal(request.getMethod(), request.getHeader("Host"), request.getHeader("Origin"),
                request.getContentType(), request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null);
        if (refusal.isPresent()) {
            response.setStatus(403);
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.getOutputStream().write(JSON.writeValueAsBytes(Map.of("success", false, "error", refusal.get())));
            return;
        }
        chain.doFilter(request, response);
    }
}
