package dev.trawl.core.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.trawl.core.chunk.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which workloads' traffic a scoped snapshot or export keeps: services, namespaces and pods (a
 * pod by its name or as {@code namespace/name}). It is resolved against each chunk's own
 * workload table, so a pod replaced mid-window is followed to its new address and an address
 * reused later by another pod is not.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record WorkloadScope(@JsonProperty("services") List<String> services, @JsonProperty("namespaces") List<String> namespaces,
        @JsonProperty("pods") List<String> pods) {
    public static final WorkloadScope NONE = new WorkloadScope(List.of(), List.of(), List.of());
    private static final int MAX_NAMES = 256;

    public WorkloadScope {
        services = clean("services", services);
        namespaces = clean("namespaces", namespaces);
        pods = clean("pods", pods);
    }

    /** From comma lists (query parameters); null or blank is no restriction. */
    public static WorkloadScope parse(String services, String namespaces, String pods) {
        return new WorkloadScope(split(services), split(namespaces), split(pods));
    }

    private static List<String> split(String text) {
        if (text == null || text.isBlank()) return List.of();
        List<String> out = new ArrayList<>();
        for (String s : text.split(",")) if (!s.isBlank()) out.add(s.strip());
        return out;
    }

    private static List<String> clean(String field, List<String> names) {
        if (names == null) return List.of();
        if (names.size() > MAX_NAMES) throw new IllegalArgumentException(field + " names more than " + MAX_NAMES + " workloads");
        var sorted = new TreeSet<String>();
        for (String n : names) {
            if (n == null || n.isBlank()) continue;
            if (n.length() > 253) throw new IllegalArgumentException(field + " has a name longer than 253 characters");
            sorted.add(n.strip());
        }
        return List.copyOf(sorted);
    }

    public boolean isEmpty() {
        return services.isEmpty() && namespaces.isEmpty() && pods.isEmpty();
    }

    /** The addresses of {@code table} whose workload is in scope (every one named by any of the lists). */
    public Set<String> addresses(Map<String, Workload> table) {
        Set<String> in = new TreeSet<>();
        table.forEach((ip, w) -> {
            if (includes(w)) in.add(ip);
        });
        return in;
    }

    public boolean includes(Workload w) {
        if (w == null) return false;
        if (w.service() != null && services.contains(w.service())) return true;
        if (w.namespace() != null && namespaces.contains(w.namespace())) return true;
        if (w.pod() == null) return false;
        return pods.contains(w.pod()) || (w.namespace() != null && pods.contains(w.namespace() + "/" + w.pod()));
    }

    /** As the answers and fingerprints print it. */
    @Override
    public String toString() {
        return "services=" + services + " namespaces=" + namespaces + " pods=" + pods;
    }
}
