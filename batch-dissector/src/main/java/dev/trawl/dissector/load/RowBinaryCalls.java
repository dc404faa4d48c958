package dev.trawl.dissector.load;

import dev.trawl.engine.Entry;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Encodes the engine's {@link Entry}s as ClickHouse RowBinary for the {@code calls} columns
 * listed in {@link #COLUMNS} (the table's, but {@code inserted_at}, which ClickHouse sets). A buffer is reused batch after batch, so the load allocates per batch,
 * not per row. Types: String and LowCardinality(String) are a varint length and bytes; UIntN/IntN
 * little-endian; DateTime64(6) an Int64 of microseconds; Map and Array a varint count and items.
 */
public final class RowBinaryCalls {
    /** The columns in the order {@link #add} writes them. */
    public static final List<String> COLUMNS = List.of(
            "dataset", "id", "ts", "node", "protocol", "transport",
            "src_ip", "src_port", "src_pod", "src_namespace", "src_service",
            "dst_ip", "dst_port", "dst_pod", "dst_namespace", "dst_service",
            "method", "path", "host", "status", "status_text", "answered", "latency_us",
            "request_size", "response_size", "request_headers", "response_headers",
            "request_body", "response_body", "fields", "dns_questions", "dns_answers",
            "summary", "source");

    private byte[] buf = new byte[1 << 20];
    private int len;
    private int rows;

    public void add(String dataset, Entry r) {
        string(dataset);
        string(r.id());
        int64(r.timestampMicros());
        string(r.node());
        string(r.protocol());
        string(r.transport());
        string(r.srcIp());
        uint16(r.srcPort());
        string(r.srcPod());
        string(r.srcNamespace());
        string(r.srcService());
        string(r.dstIp());
        uint16(r.dstPort());
        string(r.dstPod());
        string(r.dstNamespace());
        string(r.dstService());
        string(r.method());
        string(r.path());
        string(r.host());
        int32(r.status());
        string(r.statusText());
        byte1(r.answered() ? 1 : 0);
        int64(r.latencyMicros());
        int64(r.requestSize());
        int64(r.responseSize());
        map(r.requestHeaders());
        map(r.responseHeaders());
        string(r.requestBody());
        string(r.responseBody());
        map(r.fields());
        array(r.dnsQuestions());
        array(r.dnsAnswers());
        string(r.summary());
        string(r.source());
        rows++;
    }

    public int rows() {
        return rows;
    }

    public int bytes() {
        return len;
    }

    public byte[] buffer() {
        return buf;
    }

    public void clear() {
        len = 0;
        rows = 0;
    }

    private void string(String s) {
        if (s == null || s.isEmpty()) {
            byte1(0);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        varint(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    private void map(Map<String, String> m) {
        if (m == null) {
            byte1(0);
            return;
        }
        varint(m.size());
        for (var e : m.entrySet()) {
            string(e.getKey());
            string(e.getValue());
        }
    }

    private void array(List<String> a) {
        if (a == null) {
            byte1(0);
            return;
        }
        varint(a.size());
        for (String s : a) string(s);
    }

    private void varint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
    }

    private void byte1(int v) {
        ensure(1);
        buf[len++] = (byte) v;
    }

    private void uint16(int v) {
        ensure(2);
        buf[len++] = (byte) v;
        buf[len++] = (byte) (v >>> 8);
    }

    private void int32(int v) {
        ensure(4);
        for (int i = 0; i < 4; i++) buf[len++] = (byte) (v >>> (8 * i));
    }

    private void int64(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) buf[len++] = (byte) (v >>> (8 * i));
    }

    private void ensure(int more) {
        if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
}
