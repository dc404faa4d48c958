package dev.trawl.functions.web;

import dev.trawl.functions.routes.Route;
import dev.trawl.functions.routes.RouteHandler;
import dev.trawl.functions.routes.Routes;
import java.util.Comparator;
import java.util.List;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /mcp}: the listed routes of the endpoint groups this instance serves ({@code TRAWL_FUNCTIONS}). */
@RestController
public class McpIndexController {
    private final List<McpEndpoint> endpoints;

    public McpIndexController(Environment environment) {
        String selected = environment.getProperty("TRAWL_FUNCTIONS");
        this.endpoints = Routes.all().stream()
                .filter(Route::listed)
                .filter(r -> r.group() == null || FunctionGroup.Active.anyServed(selected, r.group()))
                .map(r -> new McpEndpoint(r.method(), r.path(), r.summary()))
                .sorted(Comparator.comparing(McpEndpoint::path).thenComparing(McpEndpoint::method))
                .toList();
    }

    @RouteHandler({"endpoints", "endpoints/"})
    public Listing index() {
        return new Listing(endpoints);
    }

    public record Listing(List<McpEndpoint> endpoints) {}
}
