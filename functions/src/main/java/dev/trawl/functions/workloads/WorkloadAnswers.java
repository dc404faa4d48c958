package dev.trawl.functions.workloads;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.TreeSet;

/** The answers of {@code /mcp/workloads} and {@code /mcp/ips}; times in ms since the epoch. */
public final class WorkloadAnswers {
    private WorkloadAnswers() {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Workloads(List<Pod> workloads, int total, String snapshot, Long timestamp) {}

    public record Pod(String pod, String namespace, String service, String node, List<String> ips,
            @JsonProperty("first_seen_ts") long firstSeenTs, @JsonProperty("last_seen_ts") long lastSeenTs) {
        static Pod of(WorkloadHistory.Sighting s) {
            return new Pod(s.workload().pod(), s.workload().namespace(), s.workload().service(), s.workload().node(),
                    List.of(s.ip()), s.firstNanos() / 1_000_000, s.lastNanos() / 1_000_000);
        }

        Pod with(Pod other) {
            var all = new TreeSet<>(ips);
            all.addAll(other.ips);
            return new Pod(pod, namespace, service, node, List.copyOf(all),
                    Math.min(firstSeenTs, other.firstSeenTs), Math.max(lastSeenTs, other.lastSeenTs));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ips(List<IpOwner> ips, int total, String snapshot, Long timestamp) {}

    public record IpOwner(String ip, String pod, String namespace, String service, String node,
            @JsonProperty("first_seen_ts") long firstSeenTs, @JsonProperty("last_seen_ts") long lastSeenTs) {
        static IpOwner of(WorkloadHistory.Sighting s) {
            return new IpOwner(s.ip(), s.workload().pod(), s.workload().namespace(), s.workload().service(), s.workload().node(),
                    s.firstNanos() / 1_000_000, s.lastNanos() / 1_000_000);
        }
    }
}
