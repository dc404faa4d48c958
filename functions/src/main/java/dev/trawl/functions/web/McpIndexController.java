package dev.trawl.functions.web;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /mcp}: the endpoints this deployment serves, gathered from every {@link McpEndpointGroup}. */
@RestController
public class McpIndexController {
    private final ObjectProvider<McpEndpointGroup> groups;

    public McpIndexController(ObjectProvider<McpEndpointGroup> groups) {
        this.groups = groups;
    }

    @GetMapping({"/mcp", "/mcp/"})
    public Map<String, Object> index() {
        List<McpEndpoint> endpoints = groups.orderedStream()
                .flatMap(g -> g.endpoints().stream())
                .distinct()
                .sorted(Comparator.comparing(McpEndpoint::path).thenComparing(McpEndpoint::method))
                .toList();
        return Map.of("endpoints", endpoints);
    }
}
