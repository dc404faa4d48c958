package dev.trawl.capture.workload;

import dev.trawl.core.chunk.Workload;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * IP → workload as it changes over time. A chunk's table is every mapping that was valid at
 * some point while the chunk was open: the current ones plus those removed since it opened
 * (a pod that died mid-chunk still owns its packets).
 */
public class WorkloadTable {
    private final Map<String, Workload> current = new ConcurrentHashMap<>();
    private final Map<String, Removed> removed = new ConcurrentHashMap<>();

    private record Removed(Workload workload, long atNanos) {}

    /** An empty table (no workload resolution). */
    public static WorkloadTable none() {
        return new WorkloadTable();
    }

    public void put(String ip, Workload workload) {
        if (ip == null || ip.isBlank() || workload == null) return;
        current.put(ip, workload);
        removed.remove(ip);
    }

    public void remove(String ip, long nowNanos) {
        if (ip == null) return;
        Workload w = current.remove(ip);
        if (w != null) removed.put(ip, new Removed(w, nowNanos));
    }

    /** The table valid for a chunk opened at {@code sinceNanos}; forgets removals older than that. */
    public Map<String, Workload> tableSince(long sinceNanos) {
        Map<String, Workload> out = new HashMap<>();
        removed.forEach((ip, r) -> {
            if (r.atNanos() >= sinceNanos) out.put(ip, r.workload());
        });
        out.putAll(current);
        return out;
    }

    /** Drops removals older than a time no open chunk can reach back to. */
    public void forgetBefore(long nanos) {
        removed.values().removeIf(r -> r.atNanos() < nanos);
    }

    public int size() {
        return current.size();
    }
}
