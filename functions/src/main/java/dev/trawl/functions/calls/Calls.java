package dev.trawl.functions.calls;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** The answers of the calls endpoints, as their JSON has them. */
public final class Calls {
    private Calls() {}

    /** {@code GET /mcp/calls}: a page, newest first; {@code total} counts every match. */
    public record Page(List<Call> calls, long total, boolean truncated) {}

    /** {@code GET /mcp/calls/:id}: one call, from {@code db} (the dataset), bodies up to {@code max_payload} characters. */
    /** {@code GET /mcp/stats}: {@code totals} counts what {@code /mcp/calls} counts for the same filter. */
    public record Stats(@JsonProperty("group_by") List<String> groupBy, List<tools.jackson.databind.JsonNode> groups,
            tools.jackson.databind.JsonNode totals, boolean truncated) {}

    public record Details(Call call, String db, @JsonProperty("max_payload") int maxPayload) {}

    /**
     * One call. The compact form has id to {@code latency_ms}; the full one (a {@code format=full}
     * listing, {@code GET /mcp/calls/:id}) adds the rest, which the compact one leaves out.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Call(
            String id, long ts, Peer src, Peer dst, String proto, String method, String path, int status,
            @JsonProperty("latency_ms") double latencyMs,
            String host, @JsonProperty("status_text") String statusText, String transport, Boolean answered, String summary,
            Message request, Message response, JsonNode fields,
            @JsonProperty("dns_questions") JsonNode dnsQuestions, @JsonProperty("dns_answers") JsonNode dnsAnswers, String source) {}

    /** One end of a call; {@code node} is the node the call was captured on, the same for both. */
    public record Peer(String ip, int port, String pod, String ns, String svc, String node) {}

    /** A request or response: its body is a preview in a listing ({@link Preview}), the payload in details ({@link Payload}). */
    public sealed interface Message permits Payload, Preview {}

    public record Payload(JsonNode headers, long size, String body,
            @JsonProperty("body_truncated") boolean bodyTruncated, @JsonProperty("body_limit") int bodyLimit) implements Message {}

    public record Preview(JsonNode headers, long size, @JsonProperty("body_preview") String bodyPreview,
            @JsonProperty("body_preview_truncated") boolean bodyPreviewTruncated,
            @JsonProperty("body_preview_limit") int bodyPreviewLimit) implements Message {}
}
