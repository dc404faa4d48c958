package dev.trawl.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a dissection did. {@code entriesByProtocol} counts emitted entries; {@code counters}
 * holds protocol events (dns_messages, tls_client_hellos, http_requests...); {@code damage}
 * counts what was wrong in the input (pcap_truncated, ip_malformed, tcp_gaps...), and
 * {@code errors} keeps the first few messages with their source and byte offset.
 */
public record DissectionStats(long pcapFiles, long bytes, long packets, long entries,
                              Map<String, Long> entriesByProtocol, Map<String, Long> counters,
                              Map<String, Long> damage, List<String> errors, boolean cancelled) {

    public long counter(String name) {
        return counters.getOrDefault(name, 0L);
    }

    public long damage(String name) {
        return damage.getOrDefault(name, 0L);
    }

    public long damageTotal() {
        return damage.values().stream().mapToLong(Long::longValue).sum();
    }

    public long entries(String protocol) {
        return entriesByProtocol.getOrDefault(protocol, 0L);
    }

    /** The figures of two dissections together (sessions run side by side over different files). */
    public DissectionStats plus(DissectionStats o) {
        List<String> allErrors = new java.util.ArrayList<>(errors);
        allErrors.addAll(o.errors);
        return new DissectionStats(pcapFiles + o.pcapFiles, bytes + o.bytes, packets + o.packets, entries + o.entries,
                sum(entriesByProtocol, o.entriesByProtocol), sum(counters, o.counters), sum(damage, o.damage),
                List.copyOf(allErrors), cancelled || o.cancelled);
    }

    private static Map<String, Long> sum(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> m = new java.util.TreeMap<>(a);
        b.forEach((k, v) -> m.merge(k, v, Long::sum));
        return m;
    }

    /** For JSON (status.json, the CLI's stderr). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pcap_files", pcapFiles);
        m.put("bytes", bytes);
        m.put("packets", packets);
        m.put("entries", entries);
        m.put("entries_by_protocol", entriesByProtocol);
        m.put("counters", counters);
        m.put("damage", damage);
        m.put("errors", errors);
        m.put("cancelled", cancelled);
        return m;
    }
}
