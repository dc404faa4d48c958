package dev.trawl.functions.web;

import java.util.Objects;

/** One line of the {@code GET /mcp} listing: method, path (Kubeshark's {@code :name} style) and what it does. */
public record McpEndpoint(String method, String path, String description) {
    public McpEndpoint {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(description, "description");
    }
}
