package dev.trawl.functions.calls;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.trawl.functions.calls.kfl.Kfl;
import dev.trawl.functions.calls.kfl.KflException;
import dev.trawl.functions.calls.kfl.SqlFilter;
import dev.trawl.functions.web.ApiException;

import java.time.Clock;

import tools.jackson.databind.JsonNode;

/**
 * {@code /mcp/calls}: KFL over the {@code calls} table, newest first, in Kubeshark's shape; and
 * one call's details with its payloads. Every value reaches SQL as a parameter.
 */
public final class CallsService {

    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    /** Body preview in a {@code format=full} listing, in characters. */
    public static final int PREVIEW_CHARS = 1024;
    public static final int DEFAULT_PAYLOAD_CHARS = 64 * 1024;
    public static final int MAX_PAYLOAD_CHARS = 1024 * 1024;

    static final String COMPACT = """
            id, toUnixTimestamp64Milli(ts) AS ts_ms, node,
            src_ip, src_port, src_pod, src_namespace, src_service,
            dst_ip, dst_port, dst_pod, dst_namespace, dst_service,
            protocol, method, path, status, latency_us""";

    static final String FULL = COMPACT + """
            ,
            host, status_text, transport, answered, summary, source, fields, dns_questions, dns_answers,
            request_size, response_size, request_headers, response_headers,
            toValidUTF8(substringUTF8(request_body, 1, {body_chars:UInt32})) AS request_body_text,
            lengthUTF8(request_body) > {body_chars:UInt32} AS request_body_cut,
            toValidUTF8(substringUTF8(response_body, 1, {body_chars:UInt32})) AS response_body_text,
            lengthUTF8(response_body) > {body_chars:UInt32} AS response_body_cut""";

    private final ClickHouseRows rows;
    private final Function<String, String> datasetOfDb;
    private final Clock clock;

    /** @param datasetOfDb the {@code dataset} a {@code db} parameter names (see {@link Datasets#resolve}) */
    public CallsService(ClickHouseRows rows, Function<String, String> datasetOfDb, Clock clock) {
        this.rows = rows;
        this.datasetOfDb = datasetOfDb;
        this.clock = clock;
    }

    /** {@code GET /mcp/calls}. */
    public Calls.Page list(CallsQuery query) {
        String kfl = query.kfl();
        String db = query.db();
        String limit = query.limit();
        String format = query.format();
        boolean full = switch (format == null || format.isBlank() ? "compact" : format.strip()) {
            case "compact" -> false;
            case "full" -> true;
            default -> throw new ApiException.BadRequest("format must be compact or full, not '" + format + "'");
        };
        int n = limit == null || limit.isBlank() ? DEFAULT_LIMIT : Math.min(MAX_LIMIT, positive("limit", limit));
        Long startMs = millis("start", query.start());
        Long endMs = millis("end", query.end());
        if (startMs != null && endMs != null && endMs < startMs) {
            throw new ApiException.BadRequest("end (" + endMs + ") is before start (" + startMs + ")");
        }
        Map<String, String> params = new LinkedHashMap<>();
        String where = where(kfl, db, startMs, endMs, params);

        Map<String, String> pageParams = new LinkedHashMap<>(params);
        pageParams.put("limit", Integer.toString(n));
        pageParams.put("body_chars", Integer.toString(PREVIEW_CHARS));
        String page = "SELECT " + (full ? FULL : COMPACT) + "\nFROM calls\nWHERE " + where
                // newest first; toStartOfHour(ts) is the sort key's second column (dataset is fixed), so
                // ClickHouse reads the newest hours first and stops when the page is full
                + "\nORDER BY toStartOfHour(ts) DESC, ts DESC, id DESC\nLIMIT {limit:UInt32}";
        List<JsonNode> found = run(page, pageParams);
        long total = found.size() < n ? found.size()
                : run("SELECT count() AS total FROM calls WHERE " + where, params).getFirst().path("total").asLong();

        List<Calls.Call> calls = new ArrayList<>(found.size());
        for (JsonNode row : found) {
            calls.add(full ? full(row, PREVIEW_CHARS, false) : compact(row));
        }
        return new Calls.Page(calls, total, total > calls.size());
    }

    /** What {@code group_by} may name, and the expression each one groups by. */
    static final Map<String, String> GROUP_BY = orderedMap(
            "proto", "protocol", "service", "dst_service", "path", "cutQueryString(path)", "method", "method",
            "status", "status", "src.service", "src_service", "dst.service", "dst_service", "node", "node",
            "minute", "toUnixTimestamp(toStartOfMinute(ts)) * 1000");

    /** An error as an assistant means it: an HTTP 4xx/5xx, a gRPC status, another protocol's error code. */
    static final String ERROR = "(status >= 400 OR (protocol NOT IN ('http', 'http2', 'grpc') AND status != 0)"
            + " OR toInt32OrZero(fields['grpc_status']) != 0)";

    private static final String STATS = "count() AS count, countIf(" + ERROR + ") AS errors,"
            + " arrayMap(q -> round(q / 1000, 3), quantiles(0.5, 0.95, 0.99)(latency_us)) AS latency_ms";

    private static Map<String, String> orderedMap(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** {@code GET /mcp/stats}: counts, errors and latency percentiles per group; totals as {@code /mcp/calls} counts them. */
    public Calls.Stats stats(String kfl, String db, String groupBy, String limit, String start, String end) {
        List<String> keys = new ArrayList<>();
        for (String k : (groupBy == null ? "" : groupBy).split(",")) {
            String key = k.strip();
            if (key.isEmpty()) continue;
            if (!GROUP_BY.containsKey(key)) {
                throw new ApiException.BadRequest("group_by takes one or more of " + String.join(", ", GROUP_BY.keySet())
                        + " (comma-separated), not '" + key + "'");
            }
            if (!keys.contains(key)) keys.add(key);
        }
        int n = limit == null || limit.isBlank() ? DEFAULT_LIMIT : Math.min(MAX_LIMIT, positive("limit", limit));
        Long startMs = millis("start", start);
        Long endMs = millis("end", end);
        Map<String, String> params = new LinkedHashMap<>();
        String where = where(kfl, db, startMs, endMs, params);
        JsonNode totals = run("SELECT " + STATS + " FROM calls WHERE " + where, params).getFirst();
        List<JsonNode> groups = List.of();
        if (!keys.isEmpty()) {
            String select = keys.stream().map(k -> GROUP_BY.get(k) + " AS `" + k + "`").collect(java.util.stream.Collectors.joining(", "));
            String by = keys.stream().map(k -> "`" + k + "`").collect(java.util.stream.Collectors.joining(", "));
            Map<String, String> groupParams = new LinkedHashMap<>(params);
            groupParams.put("limit", Integer.toString(n));
            groups = run("SELECT " + select + ", " + STATS + " FROM calls WHERE " + where + " GROUP BY " + by
                    + " ORDER BY count DESC, " + by + " LIMIT {limit:UInt32}", groupParams);
        }
        return new Calls.Stats(keys, groups, totals, groups.size() == n);
    }

    /**
     * The condition on {@code calls} that a filter, a database and a time window make, its values
     * put into {@code params}: what the listing and the stats share, so their totals agree.
     */
    String where(String kfl, String db, Long startMs, Long endMs, Map<String, String> params) {
        SqlFilter filter = compile(kfl);
        String dataset = datasetOfDb.apply(db);
        params.putAll(filter.params());
        StringBuilder where = new StringBuilder("dataset = {dataset:String}");
        params.put("dataset", dataset);
        // the bucket conditions let the sort key's toStartOfHour(ts) prune, where it can (Kfl.boundsHours)
        if (startMs != null) {
            where.append(" AND ts >= fromUnixTimestamp64Milli({start_ms:Int64}, 'UTC')");
            if (Kfl.boundsHours(startMs / 1000)) {
                where.append(" AND toStartOfHour(ts) >= toStartOfHour(fromUnixTimestamp64Milli({start_ms:Int64}, 'UTC'))");
            }
            params.put("start_ms", startMs.toString());
        }
        if (endMs != null) {
            where.append(" AND ts < fromUnixTimestamp64Milli({end_ms:Int64}, 'UTC')");
            if (Kfl.boundsHours(endMs / 1000)) {
                where.append(" AND toStartOfHour(ts) <= toStartOfHour(fromUnixTimestamp64Milli({end_ms:Int64}, 'UTC'))");
            }
            params.put("end_ms", endMs.toString());
        }
        return where.append(" AND (").append(filter.where()).append(')').toString();
    }

    /** {@code GET /mcp/calls/:id}: one call with headers and payloads up to {@code max_payload} characters each. */
    public Calls.Details details(CallQuery query) {
        String id = query.id();
        String maxPayload = query.maxPayload();
        if (id == null || !id.matches("[0-9A-Za-z_-]{1,128}")) {
            throw new ApiException.BadRequest("a call id is letters, digits, '-' and '_', not '" + id + "'");
        }
        int chars = maxPayload == null || maxPayload.isBlank() ? DEFAULT_PAYLOAD_CHARS
                : Math.min(MAX_PAYLOAD_CHARS, positive("max_payload", maxPayload));
        String dataset = datasetOfDb.apply(query.db());
        Map<String, String> params = Map.of("dataset", dataset, "id", id, "body_chars", Integer.toString(chars));
        List<JsonNode> found = run("SELECT " + FULL + "\nFROM calls\nWHERE dataset = {dataset:String} AND id = {id:String}\nLIMIT 1", params);
        if (found.isEmpty()) {
            throw new ApiException.NotFound("no call '" + id + "' in " + dataset);
        }
        return new Calls.Details(full(found.getFirst(), chars, true), dataset, chars);
    }

    private SqlFilter compile(String kfl) {
        return compile(kfl, clock, dev.trawl.functions.calls.kfl.Fields.Subject.CALLS);
    }

    static SqlFilter compile(String kfl, Clock clock, dev.trawl.functions.calls.kfl.Fields.Subject subject) {
        try {
            return Kfl.compile(kfl, clock.instant(), subject);
        } catch (KflException e) {
            throw new ApiException.BadRequest(e.getMessage());
        }
    }

    private List<JsonNode> run(String sql, Map<String, String> params) {
        return run(rows, sql, params);
    }

    static List<JsonNode> run(ClickHouseRows rows, String sql, Map<String, String> params) {
        try {
            return rows.select(sql, params);
        } catch (RuntimeException e) {
            String message = String.valueOf(e.getMessage());
            // a KFL regex ClickHouse's RE2 cannot compile is the caller's mistake, not ours
            if (message.contains("CANNOT_COMPILE_REGEXP") || message.contains("Code: 427")) {
                throw new ApiException.BadRequest("the regular expression in the KFL filter is not valid RE2: " + firstLine(message));
            }
            throw new ApiException.Internal("ClickHouse query failed: " + firstLine(message), e);
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static int positive(String name, String value) {
        try {
            int v = Integer.parseInt(value.strip());
            if (v < 1) {
                throw new ApiException.BadRequest(name + " must be at least 1, not " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ApiException.BadRequest(name + " must be a whole number, not '" + value + "'");
        }
    }

    static Long millis(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            long v = Long.parseLong(value.strip());
            // ts holds microseconds: ClickHouse fails the query when a bound's microseconds overflow
            if (v < 0 || v > Long.MAX_VALUE / 1000) {
                throw new ApiException.BadRequest(name + " must be epoch milliseconds from 0 to " + Long.MAX_VALUE / 1000 + ", not " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ApiException.BadRequest(name + " must be epoch milliseconds, not '" + value + "'");
        }
    }

    private static Calls.Call compact(JsonNode r) {
        return call(r, null, null, null);
    }

    private static Calls.Call call(JsonNode r, Calls.Message request, Calls.Message response, JsonNode full) {
        boolean all = full != null;
        return new Calls.Call(r.path("id").asString(), r.path("ts_ms").asLong(), peer(r, "src"), peer(r, "dst"),
                r.path("protocol").asString(), r.path("method").asString(), r.path("path").asString(), r.path("status").asInt(),
                r.path("latency_us").asLong() / 1000.0,
                all ? r.path("host").asString() : null,
                all ? r.path("status_text").asString() : null,
                all ? r.path("transport").asString() : null,
                all ? r.path("answered").asInt() == 1 : null,
                all ? r.path("summary").asString() : null,
                request, response,
                all ? r.path("fields") : null,
                all ? r.path("dns_questions") : null,
                all ? r.path("dns_answers") : null,
                all ? r.path("source").asString() : null);
    }

    private static Calls.Peer peer(JsonNode r, String side) {
        // trawl records the node a call was captured on, not each peer's
        return new Calls.Peer(r.path(side + "_ip").asString(), r.path(side + "_port").asInt(), r.path(side + "_pod").asString(),
                r.path(side + "_namespace").asString(), r.path(side + "_service").asString(), r.path("node").asString());
    }

    /** A call with its messages: each body whole up to {@code bodyChars} ({@code payload}), or its preview. */
    private static Calls.Call full(JsonNode r, int bodyChars, boolean payload) {
        return call(r, message(r, "request", bodyChars, payload), message(r, "response", bodyChars, payload), r);
    }

    private static Calls.Message message(JsonNode r, String side, int bodyChars, boolean payload) {
        JsonNode headers = r.path(side + "_headers");
        long size = r.path(side + "_size").asLong();
        String body = r.path(side + "_body_text").asString();
        boolean cut = r.path(side + "_body_cut").asInt() == 1 || r.path(side + "_body_cut").asBoolean();
        return payload ? new Calls.Payload(headers, size, body, cut, bodyChars) : new Calls.Preview(headers, size, body, cut, bodyChars);
    }
}
