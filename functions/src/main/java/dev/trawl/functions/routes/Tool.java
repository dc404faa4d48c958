package dev.trawl.functions.routes;

import java.util.Map;

/**
 * A route's face as an MCP tool: what a model reads (title, description, output schema, hints)
 * and, by HTTP status, what to do next after an error. The tool's name is the route's, its input
 * schema the route's parameters. Its action calls the route over HTTP with the arguments in their
 * places (path, query, body), unless the route needs more than one call ({@link #action}).
 */
public record Tool(String title, String description, String outputSchema, Kind kind, Map<Integer, String> nextStep, Action action) {

    /** Read-only tools change nothing; destructive ones lose data or work that cannot be had back. */
    public enum Kind { READ_ONLY, CREATES, DESTRUCTIVE }

    /** What a tool does with its arguments; null in a {@link Tool} means the route's own call. */
    @FunctionalInterface
    public interface Action {
        Map<String, Object> run(Call call);
    }

    public Tool {
        nextStep = Map.copyOf(nextStep);
    }

    public Tool(String title, String description, String outputSchema, Kind kind, Map<Integer, String> nextStep) {
        this(title, description, outputSchema, kind, nextStep, null);
    }

    /** A tool invocation: its arguments and the API it runs against. */
    public record Call(Map<String, Object> arguments, TrawlApi api) {
        public String string(String name) {
            Object value = arguments.get(name);
            return value == null ? null : value.toString();
        }

        public String required(String name) {
            String value = string(name);
            if (value == null || value.isBlank()) {
                throw new TrawlApi.ApiException(400, "the argument '" + name + "' is required");
            }
            return value;
        }

        public Object value(String name) {
            return arguments.get(name);
        }
    }
}
