package dev.trawl.functions.access;

import dev.trawl.functions.routes.Role;
import dev.trawl.functions.routes.Route;
import dev.trawl.functions.routes.Routes;
import dev.trawl.functions.web.ErrorResponses;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API's answers to a refused request, as JSON like every other error: 401 with
 * {@code WWW-Authenticate: Bearer} (and, when OIDC is on, the {@code resource_metadata} an MCP
 * client follows to find the authorization server), 403 naming the role the endpoint needs.
 */
public final class RequestRefusals implements AuthenticationEntryPoint, AccessDeniedHandler {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final AccessSettings settings;

    public RequestRefusals(AccessSettings settings) {
        this.settings = settings;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException reason) throws IOException {
        boolean presented = request.getHeader("Authorization") != null;
        StringBuilder challenge = new StringBuilder("Bearer realm=\"trawl\"");
        if (presented) challenge.append(", error=\"invalid_token\"");
        if (settings.oidc()) {
            challenge.append(", resource_metadata=\"").append(base(request)).append(SecurityConfiguration.PROTECTED_RESOURCE_METADATA).append('"');
        }
        response.setHeader("WWW-Authenticate", challenge.toString());
        write(response, 401, presented
                ? "the bearer token is not valid (unknown, expired, or not for this API)"
                : "authentication required: send 'Authorization: Bearer <token>' (docs/security.md)");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied) throws IOException {
        Role needed = Routes.find(request.getMethod(), request.getRequestURI()).map(Route::role).orElse(Role.VIEWER);
        Callers.Caller caller = Callers.of(SecurityContextHolder.getContext().getAuthentication());
        write(response, 403, "this needs the role '" + needed.id() + "'; " + caller.actor() + " has "
                + (caller.role() == null ? "no role (no group of the token maps to one)" : "the role '" + caller.role().id() + "'"));
    }

    static void write(HttpServletResponse response, int status, String error) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getOutputStream().write(JSON.writeValueAsBytes(ErrorResponses.body(error)));
    }

    /** Where this request was addressed (its Host is one BrowserGuard allowed). */
    private static String base(HttpServletRequest request) {
        String scheme = request.getHeader("X-Forwarded-Proto") != null ? request.getHeader("X-Forwarded-Proto") : request.getScheme();
        return scheme + "://" + request.getHeader("Host");
    }
}
