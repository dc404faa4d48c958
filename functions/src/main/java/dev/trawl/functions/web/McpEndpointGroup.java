package dev.trawl.functions.web;

import java.util.List;

/**
 * What an endpoint group adds to {@code GET /mcp}: declare one bean of this type in the group's
 * package and the listing includes it; nobody else's file changes.
 */
@FunctionalInterface
public interface McpEndpointGroup {
    List<McpEndpoint> endpoints();
}
