package dev.trawl.functions.workloads;

import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.chunk.ChunkStore;
import dev.trawl.core.chunk.Workload;
import dev.trawl.core.s3.S3Layout.ChunkKey;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotStore;
import dev.trawl.functions.web.ApiException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Who had which address when: {@code list_workloads} and {@code list_ips}, read from the
 * workload table each chunk carries in its meta (a snapshot's copies, or the raw chunks), so an
 * answer is the table as it was at that time, not as the cluster is now.
 */
public final class WorkloadHistory {
    /** How far back the raw chunks are read when neither a snapshot nor a timestamp is given. */
    private static final long RECENT_NANOS = 5L * 60 * 1_000_000_000L;

    private final ChunkStore chunks;
    private final SnapshotStore snapshots;
    private final Clock clock;

    public WorkloadHistory(ChunkStore chunks, SnapshotStore snapshots, Clock clock) {
        this.chunks = chunks;
        this.snapshots = snapshots;
        this.clock = clock;
    }

    /** One IP's owner over the chunks that name it with that owner. */
    public record Sighting(String ip, Workload workload, long firstNanos, long lastNanos) {}

    /**
     * Every (IP, workload) pair of the chunks in scope, with the time span of the chunks that
     * carried it. {@code snapshot} may be a dissection's {@code <snapshot>/<dissection>}.
     */
    public List<Sighting> sightings(String snapshot, Long timestampMs) {
        Map<String, Sighting> seen = new TreeMap<>();
        Long atNanos = timestampMs == null ? null : timestampMs * 1_000_000L;
        eachMeta(snapshot, atNanos, meta -> meta.workloads().forEach((ip, w) -> {
            long first = meta.firstNanos(), last = meta.lastNanos();
            seen.merge(ip + "\u0000" + w, new Sighting(ip, w, first, last),
                    (a, b) -> new Sighting(ip, w, Math.min(a.firstNanos(), first), Math.max(a.lastNanos(), last)));
        }));
        return seen.values().stream().sorted(Comparator.comparing(Sighting::ip).thenComparingLong(Sighting::firstNanos)).toList();
    }

    private void eachMeta(String snapshot, Long atNanos, Consumer<ChunkMeta> each) {
        if (snapshot != null && !snapshot.isBlank()) {
            String name = snapshot.contains("/") ? snapshot.substring(0, snapshot.indexOf('/')) : snapshot;
            SnapshotManifest m = snapshots.read(name).map(SnapshotStore.Versioned::manifest).orElseThrow(() -> new ApiException.NotFound(
                    "no snapshot named '" + name + "'; call list_snapshots to see the snapshots that exist"));
            for (SnapshotManifest.SnapshotObject o : m.objects()) {
                if (atNanos != null && (atNanos < o.startNanos() || atNanos > o.endNanos())) continue;
                chunks.meta(new ChunkKey(o.node(), o.startNanos(), o.endNanos(), o.key())).ifPresent(each);
            }
            return;
        }
        long to = atNanos != null ? atNanos : clock.millis() * 1_000_000L;
        long from = atNanos != null ? atNanos : to - RECENT_NANOS;
        for (String node : chunks.rawNodes()) {
            for (ChunkKey chunk : chunks.chunks(node, from, to)) chunks.meta(chunk).ifPresent(each);
        }
    }

    /** {@code GET /mcp/workloads}: pods with every address they had, filtered by namespace and name. */
    public WorkloadAnswers.Workloads workloads(String snapshot, String namespace, String nameRegex, Long timestampMs) {
        Pattern name = pattern(nameRegex);
        Map<Workload, WorkloadAnswers.Pod> pods = new LinkedHashMap<>();
        for (Sighting s : sightings(snapshot, timestampMs)) {
            Workload w = s.workload();
            if (namespace != null && !namespace.isBlank() && !namespace.equals(w.namespace())) continue;
            if (name != null && (w.pod() == null || !name.matcher(w.pod()).find())) continue;
            pods.merge(w, WorkloadAnswers.Pod.of(s), WorkloadAnswers.Pod::with);
        }
        List<WorkloadAnswers.Pod> list = new ArrayList<>(pods.values());
        list.sort(Comparator.comparing((WorkloadAnswers.Pod p) -> String.valueOf(p.namespace())).thenComparing(p -> String.valueOf(p.pod())));
        return new WorkloadAnswers.Workloads(list, list.size(), snapshot, timestampMs);
    }

    /** {@code GET /mcp/ips}: who had each address (or the one asked for), and when. */
    public WorkloadAnswers.Ips ips(String snapshot, String ip, Long timestampMs) {
        List<WorkloadAnswers.IpOwner> owners = sightings(snapshot, timestampMs).stream()
                .filter(s -> ip == null || ip.isBlank() || s.ip().equals(ip.strip()))
                .map(WorkloadAnswers.IpOwner::of).toList();
        return new WorkloadAnswers.Ips(owners, owners.size(), snapshot, timestampMs);
    }

    private static Pattern pattern(String regex) {
        if (regex == null || regex.isBlank()) return null;
        if (regex.length() > 256) throw new ApiException.BadRequest("name_regex is longer than 256 characters");
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new ApiException.BadRequest("name_regex is not a regular expression: " + e.getDescription()
                    + "; e.g. name_regex=^payment- for the payment pods");
        }
    }
}
