package dev.trawl.functions.routes;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One parameter of a route: where it travels (path segment, query parameter, JSON body field),
 * its type and whether it is required. {@code schema} holds the JSON-schema members beyond type
 * and description (a pattern, an enum, bounds) that the MCP tool's input schema carries.
 * {@code tool} is false for a REST-only parameter that the MCP tool does not offer.
 */
public record Param(String name, Type type, In in, boolean required, String description, Map<String, Object> schema, boolean tool) {

    public enum In { PATH, QUERY, BODY }

    public enum Type {
        STRING("string"), INTEGER("integer"), BOOLEAN("boolean"), STRINGS("array");

        final String json;

        Type(String json) {
            this.json = json;
        }
    }

    public Param {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(description, "description");
        schema = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(schema));
    }

    /** A path segment ({@code :name}): always required, always a string. */
    public static Param path(String name, String description) {
        return new Param(name, Type.STRING, In.PATH, true, description, Map.of(), true);
    }

    public static Param query(String name, Type type, String description) {
        return new Param(name, type, In.QUERY, false, description, Map.of(), true);
    }

    public static Param body(String name, Type type, String description) {
        return new Param(name, type, In.BODY, false, description, Map.of(), true);
    }

    public Param mandatory() {
        return new Param(name, type, in, true, description, schema, tool);
    }

    /** Adds a JSON-schema member, e.g. {@code ("pattern", "^[a-z]+$")} or {@code ("maximum", 1000)}. */
    public Param with(String member, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(schema);
        more.put(member, value);
        return new Param(name, type, in, required, description, more, tool);
    }

    /** A parameter of the REST route only: the MCP tool neither offers nor sends it. */
    public Param restOnly() {
        return new Param(name, type, in, required, description, schema, false);
    }

    /** This parameter as a property of a JSON schema. */
    Map<String, Object> jsonSchema() {
        Map<String, Object> property = new LinkedHashMap<>();
        property.put("type", type.json);
        if (type == Type.STRINGS) property.put("items", Map.of("type", "string"));
        property.putAll(schema);
        property.put("description", description);
        return property;
    }
}
