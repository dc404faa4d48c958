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
        Map<String, Workload> entries;
        try {
            entries = JsonMapper.builder().build().readValue(Files.readAllBytes(file), new TypeReference<Map<String, Workload>>() {});
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("workload file " + file + " is not a JSON object of IP -> {pod, namespace, service, node}: " + e.getMessage(), e);
        }
        WorkloadTable table = new WorkloadTable();
        entries.forEach(table::put);
        return table;
    }
}
