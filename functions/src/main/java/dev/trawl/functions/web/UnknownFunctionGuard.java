package dev.trawl.functions.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.cloud.function.context.FunctionCatalog;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;
import tools.jackson.databind.json.JsonMapper;

/**
 * Spring Cloud Function web falls back to the only function it has (its router, when an
 * instance serves no function of its own) for any path it cannot resolve, and then fails with
 * a 500. An unknown endpoint is a 404: a request that Spring Cloud Function would take reaches
 * it only when the path names one of this instance's functions.
 */
@Component
public class UnknownFunctionGuard extends OncePerRequestFilter {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PREFIX = "/mcp/";

    private final ObjectProvider<FunctionCatalog> catalog;
    private final ObjectProvider<HandlerMapping> mappings;

    public UnknownFunctionGuard(ObjectProvider<FunctionCatalog> catalog, ObjectProvider<HandlerMapping> mappings) {
        this.catalog = catalog;
        this.mappings = mappings;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().substring(request.getContextPath().length()).startsWith(PREFIX);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String name = path.substring(PREFIX.length());
        int slash = name.indexOf('/');
        if (slash >= 0) name = name.substring(0, slash);
        if (!functionNames().contains(name) && takenByFunctionWeb(request)) {
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

    private Set<String> functionNames() {
        Set<String> names = new HashSet<>();
        FunctionCatalog functions = catalog.getIfAvailable();
        if (functions == null) return names;
        for (Class<?> type : new Class<?>[] {Supplier.class, Function.class, Consumer.class}) names.addAll(functions.getNames(type));
        names.remove("functionRouter");
        return names;
    }
}
