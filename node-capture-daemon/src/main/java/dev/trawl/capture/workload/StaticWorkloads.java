package dev.trawl.capture.workload;

import dev.trawl.core.chunk.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Off Kubernetes: a fixed table from a JSON file,
 * {@code {"10.0.0.7": {"pod": "web-1", "namespace": "shop", "service": "web", "node": "n1"}, ...}}.
 */
public final class StaticWorkloads {
    private StaticWorkloads() {}

    public static WorkloadTable load(Path file) {
        try {
            return read(Files.readAllBytes(file), null, file.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("workload file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** A table from the JSON; {@code node}, when given, is the node of every entry that names none. */
    public static WorkloadTable read(byte[] json, String node, String source) {
        Map<String, Workload> entries;
        try {
            entries = JsonMapper.builder().build().readValue(json, new TypeReference<Map<String, Workload>>() {});
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("workload file " + source + " is not a JSON object of IP -> {pod, namespace, service, node}: " + e.getMessage(), e);
        }
        WorkloadTable table = new WorkloadTable();
        entries.forEach((ip, w) -> table.put(ip, w.node() == null && node != null ? new Workload(w.pod(), w.namespace(), w.service(), node) : w));
        return table;
    }
}
