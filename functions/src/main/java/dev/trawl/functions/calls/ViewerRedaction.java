package dev.trawl.functions.calls;

import dev.trawl.functions.calls.kfl.Kfl;
import dev.trawl.functions.calls.kfl.KflException;
import dev.trawl.functions.web.ApiException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a viewer sees of captured calls: who talked to whom, when, which method, path and status,
 * but no header values and no payloads (those need the role analyst). Applied to the answer as
 * JSON, so every call in it is covered however the answer is shaped; the shape stays the same
 * (values become empty), so clients and MCP output schemas still read it.
 */
final class ViewerRedaction {
    static final String NOTE = "header values, bodies and protocol fields are left out: they need the role 'analyst'";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ViewerRedaction() {}

    /**
     * Whether a KFL filter reads header values or bodies: a viewer filtering on them would learn them a match at a time.
     * The compiled SQL names only columns (every value is a bound parameter), so its identifiers are what the filter reads.
     */
    static boolean readsPayload(String kfl) {
        if (kfl == null || kfl.isBlank()) return false;
        try {
            return PAYLOAD_COLUMNS.matcher(Kfl.compile(kfl).where()).find();
        } catch (KflException e) {
            throw new ApiException.BadRequest(e.getMessage());
        }
    }

    private static final java.util.regex.Pattern PAYLOAD_COLUMNS =
            java.util.regex.Pattern.compile("\\b(request|response)_(headers|body)\\b");

    static JsonNode redact(Object answer) {
        JsonNode tree = JSON.valueToTree(answer);
        walk(tree);
        if (tree instanceof ObjectNode root) root.put("redacted", NOTE);
        return tree;
    }

    private static void walk(JsonNode node) {
        if (node instanceof ArrayNode array) {
            for (JsonNode child : array) walk(child);
        } else if (node instanceof ObjectNode object) {
            for (String side : new String[] {"request", "response"}) {
                if (object.get(side) instanceof ObjectNode message) message(message);
            }
            if (object.has("fields")) object.putObject("fields");
            for (var entry : object.properties()) walk(entry.getValue());
        }
    }

    private static void message(ObjectNode message) {
        JsonNode headers = message.get("headers");
        if (headers instanceof ObjectNode named) {
            for (var header : named.properties()) header.setValue(JSON.getNodeFactory().stringNode(""));
        } else if (headers instanceof ArrayNode list) {
            for (JsonNode header : list) if (header instanceof ObjectNode h && h.has("value")) h.put("value", "");
        }
        for (String body : new String[] {"body", "body_preview"}) {
            if (message.has(body)) message.put(body, "");
        }
    }
}
