package dev.trawl.functions.routes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One endpoint, declared once in {@link Routes}: its name (the MCP tool's, and what a handler's
 * {@link RouteHandler} names), the endpoint group that serves it (a Knative Service, see
 * {@code TRAWL_FUNCTIONS}), HTTP method and path (Kubeshark's {@code :name} style), the least
 * {@link Role} it needs, the role that header values and bodies in its answer need
 * ({@code payloadRole}, null when it has none), the line of {@code GET /mcp} ({@code summary},
 * null for a route that is not listed), its parameters and its MCP tool (null when it has none).
 */
public record Route(String name, String group, String method, String path, Role role, Role payloadRole, String summary,
        List<Param> params, Tool tool) {
    private static final Pattern PATH_VARIABLE = Pattern.compile(":([a-z_]+)");
    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

    public Route {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(role, "role");
        params = List.copyOf(params);
        List<String> inPath = PATH_VARIABLE.matcher(path).results().map(m -> m.group(1)).toList();
        List<String> declared = params.stream().filter(p -> p.in() == Param.In.PATH).map(Param::name).toList();
        if (!inPath.equals(declared)) throw new IllegalArgumentException(name + ": the path's variables " + inPath + " are not its path parameters " + declared);
    }

    /** The path as Spring's patterns write it: {@code /mcp/snapshots/{name}}. */
    public String pattern() {
        return PATH_VARIABLE.matcher(path).replaceAll("{$1}");
    }

    /** Whether a request's path is this route's: each {@code :variable} one non-empty segment. */
    public boolean matches(String requestPath) {
        String[] want = path.split("/", -1);
        String[] got = requestPath.split("/", -1);
        if (want.length != got.length) return false;
        for (int i = 0; i < want.length; i++) {
            if (want[i].startsWith(":") ? got[i].isEmpty() : !want[i].equals(got[i])) return false;
        }
        return true;
    }

    /** Whether {@code GET /mcp} lists it. */
    public boolean listed() {
        return summary != null;
    }

    /** The MCP tool's input schema: the parameters the tool offers, no others. */
    public String inputSchema() {
        Map<String, Object> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (Param p : params) {
            if (!p.tool()) continue;
            properties.put(p.name(), p.jsonSchema());
            if (p.required()) required.add(p.name());
        }
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("type", "object");
        schema.put("properties", properties);
        if (!required.isEmpty()) schema.put("required", required);
        schema.put("additionalProperties", false);
        return JSON.writeValueAsString(schema);
    }

    /** The tool's action: its own, or this route called with the arguments in their places. */
    public Map<String, Object> call(Tool.Call call) {
        if (tool != null && tool.action() != null) return tool.action().run(call);
        String target = path(call);
        Map<String, Object> values = new LinkedHashMap<>();
        for (Param p : params) {
            if (!p.tool() || p.in() == Param.In.PATH) continue;
            Object value = p.required() ? call.required(p.name()) : call.value(p.name());
            if (value != null || p.in() == Param.In.QUERY) values.put(p.name(), value);
        }
        return switch (method) {
            case "GET" -> call.api().get(target, values);
            case "POST" -> call.api().post(target, values);
            case "DELETE" -> call.api().delete(target);
            default -> throw new IllegalStateException(name + ": no tool call for " + method);
        };
    }

    /** The path with the call's arguments in its variables, each one path segment. */
    public String path(Tool.Call call) {
        Matcher m = PATH_VARIABLE.matcher(path);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(TrawlApi.segment(call.required(m.group(1)))));
        return m.appendTail(out).toString();
    }
}
