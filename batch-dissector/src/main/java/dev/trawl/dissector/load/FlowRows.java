package dev.trawl.dissector.load;

import dev.trawl.core.chunk.Workload;
import dev.trawl.engine.flow.Flow;
import java.io.ByteArrayOutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/** Flows as rows of the {@code flows} table (schema V4), one JSON object a line. */
final class FlowRows {
    static final String TABLE = "flows";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private FlowRows() {}

    static byte[] encode(String dataset, List<Flow> flows) {
        var out = new ByteArrayOutputStream(flows.size() * 512);
        for (Flow f : flows) {
            var row = new LinkedHashMap<String, Object>();
            row.put("dataset", dataset);
            row.put("id", f.id());
            row.put("node", f.node());
            row.put("transport", f.transport());
            row.put("protocol", f.protocol());
            end(row, "src", f.srcIp(), f.srcPort(), f.src());
            end(row, "dst", f.dstIp(), f.dstPort(), f.dst());
            row.put("first_ts", time(f.firstTsNanos()));
            row.put("last_ts", time(f.lastTsNanos()));
            row.put("packets_to_server", f.packetsToServer());
            row.put("bytes_to_server", f.bytesToServer());
            row.put("packets_to_client", f.packetsToClient());
            row.put("bytes_to_client", f.bytesToClient());
            row.put("handshake_rtt_us", f.handshakeRttNanos() < 0 ? -1 : f.handshakeRttNanos() / 1000);
            row.put("retransmissions", f.retransmissions());
            row.put("out_of_order", f.outOfOrder());
            row.put("duplicate_acks", f.duplicateAcks());
            row.put("zero_windows", f.zeroWindows());
            row.put("resets_by_client", f.resetsByClient());
            row.put("resets_by_server", f.resetsByServer());
            row.put("close", f.close());
            row.put("gaps", f.gaps());
            row.put("call_ids", f.callIds());
            out.writeBytes(JSON.writeValueAsBytes(row));
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static final java.time.format.DateTimeFormatter TIME =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(java.time.ZoneOffset.UTC);

    private static String time(long nanos) {
        return TIME.format(java.time.Instant.ofEpochSecond(0, nanos));
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    private static void end(LinkedHashMap<String, Object> row, String side, String ip, int port, Workload w) {
        row.put(side + "_ip", ip);
        row.put(side + "_port", port);
        row.put(side + "_pod", text(w.pod()));
        row.put(side + "_namespace", text(w.namespace()));
        row.put(side + "_service", text(w.service()));
        row.put(side + "_node", text(w.node()));
    }
}
