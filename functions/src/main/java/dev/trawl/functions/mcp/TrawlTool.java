package dev.trawl.functions.mcp;

import java.util.Map;
import java.util.function.Function;

/**
 * One MCP tool: what a model reads (name, description, input and output schemas, hints) and what it does,
 * as a call of trawl's REST API. Answers of the API become structured output; its errors become
 * tool errors that say what to do next ({@link #nextStep}, by HTTP status).
 */
public record TrawlTool(
        String name,
        String title,
        String description,
        String inputSchema,
        String outputSchema,
        Kind kind,
        Function<Call, Map<String, Object>> action,
        Map<Integer, String> nextStep) {

    /** Read-only tools change nothing; destructive ones lose data or work that cannot be had back. */
    public enum Kind { READ_ONLY, CREATES, DESTRUCTIVE }

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
