package dev.trawl.functions.calls.kfl;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import dev.trawl.functions.calls.kfl.Field.Keys;

/**
 * The whitelist: every name a KFL filter may use, in both dialects (Kubeshark's first KFL and
 * KFL2), and the SQL over the {@code calls} table it stands for. Names follow Kubeshark's KFL2
 * reference; the first KFL's selectors ({@code request.path}, {@code response.status},
 * {@code dst.svc}, ...) are aliases of the same columns.
 */
public final class Fields {

    /** Protocols whose rows carry HTTP semantics (KFL2: "when grpc is true, all HTTP variables are available"). */
    static final String HTTP_PROTOCOLS = "('http', 'http2', 'grpc')";

    private static final Map<String, Field> FIELDS = build();
    private static final Map<String, Field> FLOW_FIELDS = buildFlows();

    /** What a filter selects: rows of {@code calls}, or of {@code flows} (docs/kfl.md lists both field sets). */
    public enum Subject {
        CALLS, FLOWS;

        Map<String, Field> fields() {
            return this == CALLS ? FIELDS : FLOW_FIELDS;
        }

        public List<String> names() {
            return List.copyOf(new TreeSet<>(fields().keySet()));
        }
    }

    private Fields() {
    }

    static Field find(String name) {
        return FIELDS.get(name);
    }

    /** Every field name, sorted: what an unknown-field error lists. */
    public static List<String> names() {
        return Subject.CALLS.names();
    }

    /** The fields with their types and meanings, for documentation and the /mcp listing. */
    public static Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        new TreeSet<>(FIELDS.keySet()).forEach(n -> {
            Field f = FIELDS.get(n);
            out.put(n, f.type().kfl + ": " + f.description());
        });
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, Field> buildFlows() {
        Map<String, Field> m = new LinkedHashMap<>();
        protocolsAndEnds(m);
        put(m, Type.STRING, "close", "how the connection ended: fin, rst, or open (UDP, or still open at the end)", "close");
        put(m, Type.STRING, "node", "node the flow was captured on", "node", "node_name", "node.name");
        for (String side : List.of("src", "dst")) {
            put(m, Type.STRING, side + "_node", (side.equals("src") ? "client" : "server") + "'s node", side + ".node");
        }
        put(m, Type.STRING, "id", "the flow's id", "id");
        put(m, Type.TIME, "first_ts", "time of the flow's first packet (UTC)", "timestamp", "ts", "first_ts");
        put(m, Type.TIME, "last_ts", "time of the flow's last packet (UTC)", "last_ts");
        put(m, Type.INT, "dateDiff('microsecond', first_ts, last_ts)", "first to last packet in microseconds", "duration_us");
        put(m, Type.INT, "packets_to_server + packets_to_client", "packets both ways", "packets");
        put(m, Type.INT, "bytes_to_server + bytes_to_client", "frame bytes both ways", "bytes");
        for (String c : List.of("packets_to_server", "packets_to_client", "bytes_to_server", "bytes_to_client", "retransmissions",
                "out_of_order", "duplicate_acks", "zero_windows", "resets_by_client", "resets_by_server", "gaps")) {
            put(m, Type.INT, c, c.replace('_', ' ') + " (tshark's counting, docs/flows.md)", c);
        }
        put(m, Type.INT, "resets_by_client + resets_by_server", "RST segments from either end", "resets");
        put(m, Type.INT, "handshake_rtt_us", "SYN to the handshake's last ACK in microseconds; -1 when not seen", "rtt_us", "handshake_rtt_us");
        put(m, Type.LIST, "call_ids", "ids of the calls found on it (the first 64)", "call_ids");
        return Map.copyOf(m);
    }

    /** What calls and flows share: protocol and transport flags and names, both ends' addresses and workloads. */
    private static void protocolsAndEnds(Map<String, Field> m) {
        flag(m, "http", "protocol IN " + HTTP_PROTOCOLS, "HTTP/1.x, HTTP/2 and gRPC");
        flag(m, "http2", "protocol IN ('http2', 'grpc')", "HTTP/2 (and gRPC over it)");
        for (String p : List.of("grpc", "dns", "redis", "kafka", "amqp", "postgresql", "mysql", "mongodb", "ws", "tls", "icmp")) {
            flag(m, p, "protocol = '" + p + "'", p);
        }
        flag(m, "tcp", "transport = 'tcp'", "carried over TCP");
        flag(m, "udp", "transport = 'udp'", "carried over UDP");
        for (String side : List.of("src", "dst")) {
            String who = side.equals("src") ? "source" : "destination";
            put(m, Type.STRING, side + "_ip", who + " IP address", side + ".ip");
            put(m, Type.INT, side + "_port", who + " port", side + ".port");
            put(m, Type.STRING, side + "_pod", who + " pod name", side + ".pod.name", side + ".pod");
            put(m, Type.STRING, side + "_namespace", who + " namespace", side + ".pod.namespace",
                    side + ".service.namespace", side + ".namespace", side + ".ns");
            put(m, Type.STRING, side + "_service", who + " service name", side + ".service.name", side + ".svc",
                    side + ".service");
            put(m, Type.STRING, "if(" + side + "_service != '', " + side + "_service, " + side + "_pod)",
                    who + " service, or pod when no service resolved (first KFL's name)", side + ".name");
        }
        m.put("protocol", new Field("protocol", Type.STRING, "protocol", true, Keys.NONE,
                "the dissected protocol ('' when none)"));
        m.put("transport", new Field("transport", Type.STRING, "transport", true, Keys.NONE, "tcp, udp or icmp"));
        put(m, Type.LIST, "[src_namespace, dst_namespace]", "both namespaces", "namespaces");
        put(m, Type.LIST, "[src_pod, dst_pod]", "both pods", "pods");
        put(m, Type.LIST, "[src_service, dst_service]", "both services", "services");
    }

    private static Map<String, Field> build() {
        Map<String, Field> m = new LinkedHashMap<>();

        protocolsAndEnds(m);
        flag(m, "answered", "answered = 1", "the response was seen");
        put(m, Type.STRING, "node", "node the call was captured on", "node", "node_name", "node.name");

        // Identity and time
        put(m, Type.STRING, "id", "the call's id", "id");
        put(m, Type.TIME, "ts", "time of the request's first packet (UTC)", "timestamp", "ts");
        put(m, Type.INT, "latency_us", "response time in microseconds (Kubeshark's elapsed_time)", "elapsed_time", "latency_us");
        put(m, Type.INT, "intDiv(latency_us, 1000)", "response time in milliseconds", "elapsedTime", "latency_ms");
        put(m, Type.STRING, "summary", "one-line summary", "summary");
        put(m, Type.STRING, "source", "the PCAP the request began in", "source");

        // HTTP (and the same columns for other protocols: method, path and status are per-protocol, see V1__calls.sql)
        put(m, Type.STRING, "method", "HTTP method (DNS qtype, Redis command, Kafka api key, SQL verb for other protocols)",
                "method", "request.method");
        put(m, Type.STRING, "path", "full path with query string (gRPC method path, DNS name, Redis key, Kafka topic, SQL text)",
                "url", "request.url");
        // the same expression as the schema's idx_path, so equality is answered from that index
        put(m, Type.STRING, "cutQueryString(path)", "URL path without the query string", "path", "request.path");
        put(m, Type.STRING, "host", "HTTP Host / :authority, TLS SNI", "host", "request.host", "tls_sni");
        put(m, Type.INT, "status", "HTTP status (gRPC status, DNS rcode, SQL error code for other protocols); 0 when none",
                "status_code", "status", "response.status");
        put(m, Type.STRING, "status_text", "status text", "status_text", "response.status_text");
        headers(m, "request_headers", "request headers (names match in any case)", "request.headers", "request_headers");
        headers(m, "response_headers", "response headers (names match in any case)", "response.headers", "response_headers");
        put(m, Type.STRING, "request_body", "request body (decoded, cut at the dissection's limit)", "request.body", "request_body");
        put(m, Type.STRING, "response_body", "response body (decoded, cut at the dissection's limit)", "response.body", "response_body");
        put(m, Type.INT, "request_size", "request size in bytes", "request.size", "request_size", "request_body_size");
        put(m, Type.INT, "response_size", "response size in bytes", "response.size", "response_size", "response_body_size");
        m.put("fields", new Field("fields", Type.MAP, "fields", false, Keys.EXACT,
                "protocol-specific values by name (grpc_status, redis_key, kafka_api_key_name, amqp_exchange, ...)"));

        // gRPC
        put(m, Type.STRING, "if(protocol = 'grpc', splitByChar('/', path)[-1], '')", "gRPC method name", "grpc_method");
        put(m, Type.INT, "toInt32OrZero(fields['grpc_status'])", "gRPC status code (0 when absent)", "grpc_status");

        // DNS
        put(m, Type.LIST, "dns_questions", "DNS question names", "dns_questions");
        put(m, Type.LIST, "dns_answers", "DNS answers", "dns_answers");
        put(m, Type.LIST, "if(protocol = 'dns', [method], [])", "DNS question types", "dns_question_types");
        put(m, Type.INT, "if(protocol = 'dns', request_size, 0)", "DNS request size in bytes", "dns_request_length");
        put(m, Type.INT, "if(protocol = 'dns', response_size, 0)", "DNS response size in bytes", "dns_response_length");
        put(m, Type.INT, "if(protocol = 'dns', request_size + response_size, 0)", "DNS request + response bytes", "dns_total_size");

        // Redis, Kafka, AMQP, SQL, MongoDB: their verb is `method`, their object is `path`
        perProtocol(m, "redis", "method", "redis_type", "Redis command verb");
        perProtocol(m, "redis", "path", "redis_key", "Redis key");
        perProtocol(m, "redis", "summary", "redis_command", "Redis command line");
        perProtocol(m, "kafka", "method", "kafka_api_key_name", "Kafka API (PRODUCE, FETCH, ...)");
        perProtocol(m, "kafka", "path", "kafka_topic", "Kafka topic");
        perProtocol(m, "kafka", "summary", "kafka_request_summary", "Kafka request summary");
        perProtocol(m, "kafka", "fields['kafka_client_id']", "kafka_client_id", "Kafka client id");
        perProtocol(m, "amqp", "method", "amqp_method", "AMQP method (basic.publish, ...)");
        perProtocol(m, "amqp", "summary", "amqp_summary", "AMQP summary");
        perProtocol(m, "amqp", "fields['amqp_exchange']", "amqp_exchange", "AMQP exchange");
        perProtocol(m, "mysql", "method", "mysql_command", "MySQL command");
        perProtocol(m, "mysql", "path", "mysql_query", "MySQL query text");
        perProtocol(m, "mysql", "fields['mysql_sqlstate']", "mysql_sqlstate", "MySQL SQLSTATE");
        perProtocol(m, "postgresql", "method", "postgresql_command", "PostgreSQL command");
        perProtocol(m, "postgresql", "path", "postgresql_query", "PostgreSQL query text");
        perProtocol(m, "postgresql", "fields['pg_sqlstate']", "postgresql_error_code", "PostgreSQL SQLSTATE");
        perProtocol(m, "mongodb", "method", "mongodb_command", "MongoDB command");
        perProtocol(m, "mongodb", "path", "mongodb_collection", "MongoDB db.collection");
        perProtocol(m, "tls", "summary", "tls_summary", "TLS handshake summary");
        perProtocol(m, "ws", "fields['ws_opcode']", "ws_opcode", "WebSocket opcode");
        perProtocol(m, "icmp", "fields['icmp_type']", "icmp_type", "ICMP type");
        put(m, Type.INT, "if(protocol = 'mysql', status, 0)", "MySQL error code", "mysql_error_code");
        return Collections.unmodifiableMap(m);
    }

    private static void flag(Map<String, Field> m, String name, String sql, String description) {
        m.put(name, new Field(name, Type.BOOL, sql, false, Keys.NONE, description));
    }

    private static void put(Map<String, Field> m, Type type, String sql, String description, String... names) {
        for (String n : names) {
            if (m.put(n, new Field(n, type, sql, false, Keys.NONE, description)) != null) {
                throw new IllegalStateException("duplicate KFL field " + n);
            }
        }
    }

    private static void perProtocol(Map<String, Field> m, String protocol, String column, String name, String description) {
        String sql = "if(protocol = '" + protocol + "', " + column + ", '')";
        if (m.put(name, new Field(name, Type.STRING, sql, false, Keys.NONE, description, protocol, column)) != null) {
            throw new IllegalStateException("duplicate KFL field " + name);
        }
    }

    private static void headers(Map<String, Field> m, String column, String description, String... names) {
        for (String n : names) {
            m.put(n, new Field(n, Type.MAP, column, false, Keys.CASE_INSENSITIVE, description));
        }
    }
}
