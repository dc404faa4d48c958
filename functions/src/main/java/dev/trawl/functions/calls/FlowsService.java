package dev.trawl.functions.calls;

import dev.trawl.functions.calls.kfl.Fields;
import dev.trawl.functions.calls.kfl.SqlFilter;
import dev.trawl.functions.web.ApiException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * {@code /mcp/flows} and {@code /mcp/flows/summary}: KFL over the {@code flows} table (the flow
 * field set), a listing or per-workload aggregates, and a dataset's L4 summary. Every value
 * reaches SQL as a parameter; the aggregate's columns come from a fixed list.
 */
public final class FlowsService {
    static final String ROW = """
            id, node, transport, protocol,
            src_ip, src_port, src_pod, src_namespace, src_service, src_node,
            dst_ip, dst_port, dst_pod, dst_namespace, dst_service, dst_node,
            toUnixTimestamp64Milli(first_ts) AS first_ts, toUnixTimestamp64Milli(last_ts) AS last_ts,
            packets_to_server, bytes_to_server, packets_to_client, bytes_to_client,
            handshake_rtt_us, retransmissions, out_of_order, duplicate_acks, zero_windows,
            resets_by_client, resets_by_server, close, gaps, call_ids""";

    private static final String MEASURES = """
            count() AS flows, sum(packets_to_server + packets_to_client) AS packets,
            sum(bytes_to_server + bytes_to_client) AS bytes, sum(retransmissions) AS retransmissions,
            sum(resets_by_client + resets_by_server) AS resets, sum(zero_windows) AS zero_windows,
            sum(duplicate_acks) AS duplicate_acks, sum(out_of_order) AS out_of_order, sum(gaps) AS gaps,
            countIf(close = 'rst') AS reset_closes""";

    /** {@code aggregate=} and the pair of columns it groups by. */
    private static final Map<String, String> AGGREGATES = Map.of(
            "pod", "src_pod, dst_pod", "namespace", "src_namespace, dst_namespace",
            "service", "src_service, dst_service", "node", "src_node, dst_node");

    public record Page(List<JsonNode> flows, long total, boolean truncated) {}

    /** {@code truncated}: {@code limit} groups came back, so there may be more. */
    public record Aggregated(String aggregate, List<JsonNode> groups, boolean truncated) {}

    public record Summary(String db, JsonNode totals, @com.fasterxml.jackson.annotation.JsonProperty("top_talkers") List<JsonNode> topTalkers,
            @com.fasterxml.jackson.annotation.JsonProperty("cross_namespace") List<JsonNode> crossNamespace,
            @com.fasterxml.jackson.annotation.JsonProperty("worst_by_retransmissions") List<JsonNode> worstByRetransmissions,
            @com.fasterxml.jackson.annotation.JsonProperty("worst_by_rtt") List<JsonNode> worstByRtt) {}

    private static final int TOP = 10;

    private final ClickHouseRows rows;
    private final Function<String, String> datasetOfDb;
    private final Clock clock;

    public FlowsService(ClickHouseRows rows, Function<String, String> datasetOfDb, Clock clock) {
        this.rows = rows;
        this.datasetOfDb = datasetOfDb;
        this.clock = clock;
    }

    /** {@code GET /mcp/flows}: the newest flows that match, or with {@code aggregate} their sums per pair of workloads. */
    public Object list(String kfl, String db, String aggregate, String limit, String start, String end) {
        int n = limit == null || limit.isBlank() ? CallsService.DEFAULT_LIMIT
                : Math.min(CallsService.MAX_LIMIT, CallsService.positive("limit", limit));
        String groupBy = null;
        if (aggregate != null && !aggregate.isBlank()) {
            groupBy = AGGREGATES.get(aggregate.strip());
            if (groupBy == null) throw new ApiException.BadRequest("aggregate must be one of pod, namespace, service, node, not '" + aggregate + "'");
        }
        Long startMs = CallsService.millis("start", start);
        Long endMs = CallsService.millis("end", end);
        if (startMs != null && endMs != null && endMs < startMs) {
            throw new ApiException.BadRequest("end (" + endMs + ") is before start (" + startMs + ")");
        }
        SqlFilter filter = CallsService.compile(kfl, clock, Fields.Subject.FLOWS);
        Map<String, String> params = new LinkedHashMap<>(filter.params());
        params.put("dataset", datasetOfDb.apply(db));
        StringBuilder where = new StringBuilder("dataset = {dataset:String}");
        if (startMs != null) {
            where.append(" AND last_ts >= fromUnixTimestamp64Milli({start_ms:Int64}, 'UTC')");
            params.put("start_ms", startMs.toString());
        }
        if (endMs != null) {
            where.append(" AND first_ts < fromUnixTimestamp64Milli({end_ms:Int64}, 'UTC')");
            params.put("end_ms", endMs.toString());
        }
        where.append(" AND (").append(filter.where()).append(')');
        params.put("limit", Integer.toString(n));
        // FINAL: a chunk the real-time lane loaded twice folds by the flows' ids
        String from = " FROM flows FINAL WHERE " + where;
        if (groupBy != null) {
            List<JsonNode> groups = CallsService.run(rows,
                    "SELECT " + groupBy + ", " + MEASURES + from + " GROUP BY " + groupBy + " ORDER BY bytes DESC LIMIT {limit:UInt32}", params);
            return new Aggregated(aggregate.strip(), groups, groups.size() == n);
        }
        List<JsonNode> found = CallsService.run(rows, "SELECT " + ROW + from + " ORDER BY first_ts DESC, id DESC LIMIT {limit:UInt32}", params);
        long total = found.size() < n ? found.size()
                : CallsService.run(rows, "SELECT count() AS total" + from, params).getFirst().path("total").asLong();
        return new Page(found, total, total > found.size());
    }

    /** {@code GET /mcp/flows/summary}: totals, top talkers, cross-namespace pairs, the worst connections. */
    public Summary summary(String db) {
        Map<String, String> params = Map.of("dataset", datasetOfDb.apply(db), "top", Integer.toString(TOP));
        String from = " FROM flows FINAL WHERE dataset = {dataset:String}";
        String pair = "src_ip, src_service, src_namespace, dst_ip, dst_port, dst_service, dst_namespace";
        JsonNode totals = CallsService.run(rows, "SELECT " + MEASURES
                + ", countIf(transport = 'tcp') AS tcp_flows, countIf(transport = 'udp') AS udp_flows, countIf(protocol = '') AS undissected_flows"
                + from, params).getFirst();
        return new Summary(db == null || db.isBlank() ? Datasets.REALTIME : db, totals,
                CallsService.run(rows, "SELECT " + pair + ", " + MEASURES + from + " GROUP BY " + pair
                        + " ORDER BY bytes DESC LIMIT {top:UInt32}", params),
                CallsService.run(rows, "SELECT src_namespace, dst_namespace, " + MEASURES + from
                        + " AND src_namespace != '' AND dst_namespace != '' AND src_namespace != dst_namespace"
                        + " GROUP BY src_namespace, dst_namespace ORDER BY flows DESC LIMIT {top:UInt32}", params),
                CallsService.run(rows, "SELECT " + ROW + from + " AND retransmissions > 0 ORDER BY retransmissions DESC, id LIMIT {top:UInt32}", params),
                CallsService.run(rows, "SELECT " + ROW + from + " AND handshake_rtt_us >= 0 ORDER BY handshake_rtt_us DESC, id LIMIT {top:UInt32}", params));
    }
}
