package dev.trawl.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One API call: a request and its response, or a request left unanswered (or, for protocols
 * that allow it, a response whose request was not captured). The components are the columns of
 * the {@code calls} table (V1__calls.sql) except {@code dataset} and {@code inserted_at}, which
 * belong to the loader; {@link #columns()} gives them by column name.
 *
 * <p>Protocol-specific values go in {@link #fields()} under names like KFL's:
 * {@code grpc_status}, {@code redis_key}, {@code kafka_api_key_name}, {@code amqp_exchange},
 * {@code tls_alpn}...
 */
public record Entry(
        String id,
        long timestampMicros,
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

    public static final String TCP = "tcp";
    public static final String UDP = "udp";
    public static final String ICMP = "icmp";

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.id = id; b.timestampMicros = timestampMicros; b.node = node; b.protocol = protocol; b.transport = transport;
        b.srcIp = srcIp; b.srcPort = srcPort; b.srcPod = srcPod; b.srcNamespace = srcNamespace; b.srcService = srcService;
        b.dstIp = dstIp; b.dstPort = dstPort; b.dstPod = dstPod; b.dstNamespace = dstNamespace; b.dstService = dstService;
        b.method = method; b.path = path; b.host = host; b.status = status; b.statusText = statusText;
        b.answered = answered; b.latencyMicros = latencyMicros; b.requestSize = requestSize; b.responseSize = responseSize;
        b.requestHeaders.putAll(requestHeaders); b.responseHeaders.putAll(responseHeaders);
        b.requestBody = requestBody; b.responseBody = responseBody; b.fields.putAll(fields);
        b.dnsQuestions.addAll(dnsQuestions); b.dnsAnswers.addAll(dnsAnswers); b.summary = summary; b.source = source;
        return b;
    }

    /** The values by {@code calls} column name, in the table's column order (timestamps in µs). */
    public Map<String, Object> columns() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("ts", timestampMicros);
        m.put("node", node);
        m.put("protocol", protocol);
        m.put("transport", transport);
        m.put("src_ip", srcIp);
        m.put("src_port", srcPort);
        m.put("src_pod", srcPod);
        m.put("src_namespace", srcNamespace);
        m.put("src_service", srcService);
        m.put("dst_ip", dstIp);
        m.put("dst_port", dstPort);
        m.put("dst_pod", dstPod);
        m.put("dst_namespace", dstNamespace);
        m.put("dst_service", dstService);
        m.put("method", method);
        m.put("path", path);
        m.put("host", host);
        m.put("status", status);
        m.put("status_text", statusText);
        m.put("answered", answered ? 1 : 0);
        m.put("latency_us", latencyMicros);
        m.put("request_size", requestSize);
        m.put("response_size", responseSize);
        m.put("request_headers", requestHeaders);
        m.put("response_headers", responseHeaders);
        m.put("request_body", requestBody);
        m.put("response_body", responseBody);
        m.put("fields", fields);
        m.put("dns_questions", dnsQuestions);
        m.put("dns_answers", dnsAnswers);
        m.put("summary", summary);
        m.put("source", source);
        return m;
    }

    /** Mutable builder; every string defaults to "" and every collection to empty, as the table does. */
    public static final class Builder {
        private String id = "";
        private long timestampMicros;
        private String node = "";
        private String protocol = "";
        private String transport = "";
        private String srcIp = "";
        private int srcPort;
        private String srcPod = "";
        private String srcNamespace = "";
        private String srcService = "";
        private String dstIp = "";
        private int dstPort;
        private String dstPod = "";
        private String dstNamespace = "";
        private String dstService = "";
        private String method = "";
        private String path = "";
        private String host = "";
        private int status;
        private String statusText = "";
        private boolean answered;
        private long latencyMicros;
        private long requestSize;
        private long responseSize;
        private Map<String, String> requestHeaders = new LinkedHashMap<>();
        private Map<String, String> responseHeaders = new LinkedHashMap<>();
        private String requestBody = "";
        private String responseBody = "";
        private Map<String, String> fields = new LinkedHashMap<>();
        private List<String> dnsQuestions = new ArrayList<>();
        private List<String> dnsAnswers = new ArrayList<>();
        private String summary = "";
        private String source = "";

        private Builder() {}

        private static String s(String v) {
            return v == null ? "" : v;
        }

        public Builder id(String v) { id = s(v); return this; }
        public Builder timestampMicros(long v) { timestampMicros = v; return this; }
        public Builder timestampNanos(long v) { timestampMicros = v / 1000; return this; }
        public Builder node(String v) { node = s(v); return this; }
        public Builder protocol(String v) { protocol = s(v); return this; }
        public Builder transport(String v) { transport = s(v); return this; }
        public Builder srcIp(String v) { srcIp = s(v); return this; }
        public Builder srcPort(int v) { srcPort = v; return this; }
        public Builder srcPod(String v) { srcPod = s(v); return this; }
        public Builder srcNamespace(String v) { srcNamespace = s(v); return this; }
        public Builder srcService(String v) { srcService = s(v); return this; }
        public Builder dstIp(String v) { dstIp = s(v); return this; }
        public Builder dstPort(int v) { dstPort = v; return this; }
        public Builder dstPod(String v) { dstPod = s(v); return this; }
        public Builder dstNamespace(String v) { dstNamespace = s(v); return this; }
        public Builder dstService(String v) { dstService = s(v); return this; }
        public Builder method(String v) { method = s(v); return this; }
        public Builder path(String v) { path = s(v); return this; }
        public Builder host(String v) { host = s(v); return this; }
        public Builder status(int v) { status = v; return this; }
        public Builder statusText(String v) { statusText = s(v); return this; }
        public Builder answered(boolean v) { answered = v; return this; }
        public Builder latencyMicros(long v) { latencyMicros = Math.max(0, v); return this; }
        public Builder requestSize(long v) { requestSize = v; return this; }
        public Builder responseSize(long v) { responseSize = v; return this; }
        /** Adds a header; a repeated name keeps every value, joined with ", " (the map column holds one). */
        public Builder requestHeader(String name, String value) { own(); addHeader(requestHeaders, name, value); return this; }
        public Builder responseHeader(String name, String value) { own(); addHeader(responseHeaders, name, value); return this; }
        public Builder requestBody(String v) { requestBody = s(v); return this; }
        public Builder responseBody(String v) { responseBody = s(v); return this; }
        public Builder field(String name, String value) { own(); if (value != null) fields.put(name, value); return this; }
        public Builder field(String name, long value) { own(); fields.put(name, Long.toString(value)); return this; }
        public Builder dnsQuestion(String v) { own(); dnsQuestions.add(s(v)); return this; }
        public Builder dnsAnswer(String v) { own(); dnsAnswers.add(s(v)); return this; }
        public Builder summary(String v) { summary = s(v); return this; }
        public Builder source(String v) { source = s(v); return this; }

        public String protocol() { return protocol; }
        public String source() { return source; }
        public String srcIp() { return srcIp; }
        public String dstIp() { return dstIp; }
        public String srcPod() { return srcPod; }
        public String srcNamespace() { return srcNamespace; }
        public String srcService() { return srcService; }
        public String dstPod() { return dstPod; }
        public String dstNamespace() { return dstNamespace; }
        public String dstService() { return dstService; }
        public long timestampMicros() { return timestampMicros; }
        public Map<String, String> fields() { own(); return fields; }
        public Map<String, String> requestHeaders() { own(); return requestHeaders; }
        public Map<String, String> responseHeaders() { own(); return responseHeaders; }
        public String method() { return method; }
        public String path() { return path; }
        public String requestBody() { return requestBody; }
        public String responseBody() { return responseBody; }
        public String summary() { return summary; }

        private static void addHeader(Map<String, String> m, String name, String value) {
            m.merge(name, s(value), (a, b) -> a + ", " + b);
        }

        /** True once a built entry holds this builder's collections: they are copied before the next change. */
        private boolean shared;

        private void own() {
            if (!shared) return;
            requestHeaders = new LinkedHashMap<>(requestHeaders);
            responseHeaders = new LinkedHashMap<>(responseHeaders);
            fields = new LinkedHashMap<>(fields);
            dnsQuestions = new ArrayList<>(dnsQuestions);
            dnsAnswers = new ArrayList<>(dnsAnswers);
            shared = false;
        }

        /** Builds the entry; it shares the builder's collections (copied on the builder's next change), so building costs no copy. */
        public Entry build() {
            Entry e = new Entry(id, timestampMicros, node, protocol, transport, srcIp, srcPort, srcPod, srcNamespace, srcService,
                    dstIp, dstPort, dstPod, dstNamespace, dstService, method, path, host, status, statusText, answered,
                    latencyMicros, requestSize, responseSize,
                    Collections.unmodifiableMap(requestHeaders), Collections.unmodifiableMap(responseHeaders),
                    requestBody, responseBody, Collections.unmodifiableMap(fields),
                    Collections.unmodifiableList(dnsQuestions), Collections.unmodifiableList(dnsAnswers), summary, source);
            shared = true;
            return e;
        }
    }
}
