package dev.trawl.dissector.engine;

import java.util.List;
import java.util.Map;

/**
 * One row of the {@code calls} table (core's {@code V1__calls.sql}), without {@code dataset}
 * (the loader adds it) and {@code inserted_at} (ClickHouse sets it). The engine's entries are
 * mapped to this shape by the engine adapter, so the loader does not depend on the engine.
 */
public record CallRow(
        String id,
        long tsMicros,
        String node,
        String protocol,
        String transport,
        String srcIp,
        int srcPort,
        String srcPod,
        String srcNamespace,
        String srcService,
        String dstIp,
        int dstPort,
        String dstPod,
        String dstNamespace,
        String dstService,
        String method,
        String path,
        String host,
        int status,
        String statusText,
        boolean answered,
        long latencyMicros,
        long requestSize,
        long responseSize,
        Map<String, String> requestHeaders,
        Map<String, String> responseHeaders,
        String requestBody,
        String responseBody,
        Map<String, String> fields,
        List<String> dnsQuestions,
        List<String> dnsAnswers,
        String summary,
        String source) {

    /** The columns in the order {@link dev.trawl.dissector.load.RowBinaryCalls} writes them. */
    public static final List<String> COLUMNS = List.of(
            "dataset", "id", "ts", "node", "protocol", "transport",
            "src_ip", "src_port", "src_pod", "src_namespace", "src_service",
            "dst_ip", "dst_port", "dst_pod", "dst_namespace", "dst_service",
            "method", "path", "host", "status", "status_text", "answered", "latency_us",
            "request_size", "response_size", "request_headers", "response_headers",
            "request_body", "response_body", "fields", "dns_questions", "dns_answers",
            "summary", "source");
}
