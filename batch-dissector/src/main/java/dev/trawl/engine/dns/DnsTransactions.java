package dev.trawl.engine.dns;

import dev.trawl.engine.Entry;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Pairs DNS queries with responses by client, server and transaction id, for UDP and TCP alike.
 * Queries wait (bounded in number and in packet time) and come out unanswered when they expire.
 */
final class DnsTransactions {
    private static final int MAX_OPEN = 100_000;

    record Key(String clientIp, int clientPort, String serverIp, int serverPort, int id) {
        /** The id key: what tells this transaction apart (records' own toString is slower). */
        String idKey(long ts) {
            return clientIp + "|" + clientPort + "|" + serverIp + "|" + serverPort + "|" + id + "|" + ts;
        }
    }

    record Query(DnsMessage message, long ts, String source) {}

    private final Map<Key, Query> open = new LinkedHashMap<>();
    private final Supplier<Entry.Builder> newEntry;
    private final BiConsumer<Entry.Builder, String> emit;
    private final long timeoutNanos;

    DnsTransactions(Supplier<Entry.Builder> newEntry, BiConsumer<Entry.Builder, String> emit, long timeoutNanos) {
        this.newEntry = newEntry;
        this.emit = emit;
        this.timeoutNanos = timeoutNanos;
    }

    void message(DnsMessage m, String srcIp, int srcPort, String dstIp, int dstPort, long ts, String source) {
        if (!m.response()) {
            Key k = new Key(srcIp, srcPort, dstIp, dstPort, m.id());
            Query prev = open.remove(k);
            if (prev != null) emit(k, prev, null, 0);
            if (open.size() >= MAX_OPEN) expireOldest();
            open.put(k, new Query(m, ts, source));
        } else {
            Key k = new Key(dstIp, dstPort, srcIp, srcPort, m.id());
            Query q = open.remove(k);
            if (q != null) emit(k, q, m, ts);
            else emitOrphan(k, m, ts, source);
        }
    }

    private void emit(Key k, Query q, DnsMessage resp, long respTs) {
        DnsMessage req = q.message();
        Entry.Builder e = newEntry.get().timestampNanos(q.ts()).source(q.source())
                .srcIp(k.clientIp()).srcPort(k.clientPort()).dstIp(k.serverIp()).dstPort(k.serverPort())
                .method(req.questionTypes().isEmpty() ? "QUERY" : req.questionTypes().getFirst())
                .path(req.questions().isEmpty() ? "" : req.questions().getFirst())
                .requestSize(req.length())
                .field("dns_id", req.id()).field("dns_opcode", req.opcode());
        req.questions().forEach(e::dnsQuestion);
        String summary = (req.questionTypes().isEmpty() ? "QUERY" : req.questionTypes().getFirst()) + " "
                + (req.questions().isEmpty() ? "" : req.questions().getFirst());
        if (resp != null) {
            e.answered(true).latencyMicros((respTs - q.ts()) / 1000).status(resp.rcode()).statusText(DnsMessage.rcodeName(resp.rcode()))
                    .responseSize(resp.length()).field("dns_rcode", DnsMessage.rcodeName(resp.rcode()));
            resp.answers().forEach(e::dnsAnswer);
            if (!resp.answerDetails().isEmpty()) e.field("dns_answer_records", String.join("; ", resp.answerDetails()));
            if (!resp.complete()) e.field("damaged", "true");
            summary += " -> " + DnsMessage.rcodeName(resp.rcode()) + (resp.answers().isEmpty() ? "" : " " + String.join(", ", resp.answers()));
        } else {
            summary += " (no response)";
        }
        if (!req.complete()) e.field("damaged", "true");
        emit.accept(e.summary(summary), k.idKey(q.ts()));
    }

    private void emitOrphan(Key k, DnsMessage resp, long ts, String source) {
        Entry.Builder e = newEntry.get().timestampNanos(ts).source(source)
                .srcIp(k.clientIp()).srcPort(k.clientPort()).dstIp(k.serverIp()).dstPort(k.serverPort())
                .method(resp.questionTypes().isEmpty() ? "QUERY" : resp.questionTypes().getFirst())
                .path(resp.questions().isEmpty() ? "" : resp.questions().getFirst())
                .answered(true).status(resp.rcode()).statusText(DnsMessage.rcodeName(resp.rcode())).responseSize(resp.length())
                .field("dns_id", resp.id()).field("dns_rcode", DnsMessage.rcodeName(resp.rcode())).field("request_missing", "true");
        resp.questions().forEach(e::dnsQuestion);
        resp.answers().forEach(e::dnsAnswer);
        if (!resp.answerDetails().isEmpty()) e.field("dns_answer_records", String.join("; ", resp.answerDetails()));
        if (!resp.complete()) e.field("damaged", "true");
        e.summary("response " + DnsMessage.rcodeName(resp.rcode()) + " for " + (resp.questions().isEmpty() ? "?" : resp.questions().getFirst())
                + " (query not captured)");
        emit.accept(e, "response|" + k.idKey(ts));
    }

    void expire(long now) {
        Iterator<Map.Entry<Key, Query>> it = open.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Query> en = it.next();
            if (now - en.getValue().ts() <= timeoutNanos) return;
            it.remove();
            emit(en.getKey(), en.getValue(), null, 0);
        }
    }

    private void expireOldest() {
        Iterator<Map.Entry<Key, Query>> it = open.entrySet().iterator();
        Map.Entry<Key, Query> en = it.next();
        it.remove();
        emit(en.getKey(), en.getValue(), null, 0);
    }

    void end() {
        for (Map.Entry<Key, Query> en : open.entrySet()) emit(en.getKey(), en.getValue(), null, 0);
        open.clear();
    }
}
