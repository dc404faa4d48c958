package dev.trawl.functions.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import dev.trawl.functions.routes.Routes;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.function.context.FunctionCatalog;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Cloud Function's web layer publishes every {@code Function}, {@code Supplier} and
 * {@code Consumer} bean of the app under {@code /mcp/<bean name>} (a settings lookup would answer
 * {@code GET /mcp/<bean>/AWS_SECRET_ACCESS_KEY}), and falls back to its router for a path it
 * cannot resolve. A request it would take reaches it only when the path names a function that
 * {@code GET /mcp} lists; anything else is a 404. Its routing headers (a function name or a SpEL
 * expression chosen by the caller) are refused outright.
 */
@Component
public class UnknownFunctionGuard extends OncePerRequestFilter {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PREFIX = "/mcp/";

    private static final List<String> ROUTING_HEADERS = List.of("spring.cloud.function.definition", "spring.cloud.function.routing-expression");

    private final ObjectProvider<FunctionCatalog> catalog;
    private final ObjectProvider<HandlerMapping> mappings;

    public UnknownFunctionGuard(ObjectProvider<FunctionCatalog> catalog, ObjectProvider<HandlerMapping> mappings) {
        this.catalog = catalog;
        this.mappings = mappings;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        for (String header : ROUTING_HEADERS) {
            if (request.getHeader(header) != null) {
                response.setStatus(400);
                response.setContentType(MediaType.APPLICATION_JSON_VALUE);
                response.getOutputStream().write(JSON.writeValueAsBytes(ErrorResponses.body("the header " + header + " is not accepted")));
                return;
            }
        }
        if (!published(request.getMethod(), path) && takenByFunctionWeb(request)) {
            response.setStatus(404);
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.getOutputStream().write(JSON.writeValueAsBytes(ErrorResponses.body("no such endpoint: " + path + " (GET /mcp lists them)")));
            return;
        }
        chain.doFilter(request, response);
    }

    /** Whether the first handler mapping to answer for this request is Spring Cloud Function's (it is ordered before the controllers'). */
    private boolean takenByFunctionWeb(HttpServletRequest request) {
        for (HandlerMapping mapping : mappings.orderedStream().toList()) {
            boolean functionWeb = mapping.getClass().getName().startsWith("org.springframework.cloud.function.web.");
            try {
                var handler = mapping.getHandler(request);
                if (handler != null) return functionWeb;
            } catch (Exception e) {
                // function web looks the path up among all beans and fails on one that is no function (/mcp/s3Client)
                return functionWeb;
            }
        }
        return false;
    }

    /** Whether this is exactly a route of the table (a HEAD as its GET) served by one of this instance's functions. */
    private boolean published(String method, String path) {
        if (!path.startsWith(PREFIX)) return false;
        Set<String> names = new HashSet<>();
        FunctionCatalog functions = catalog.getIfAvailable();
        if (functions == null) return false;
        for (Class<?> type : new Class<?>[] {Supplier.class, Function.class, Consumer.class}) names.addAll(functions.getNames(type));
        return names.contains(path.substring(PREFIX.length())) && Routes.find(method, path).isPresent();
    }
}
