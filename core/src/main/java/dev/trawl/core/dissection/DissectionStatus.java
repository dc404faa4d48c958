package dev.trawl.core.dissection;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.trawl.core.Names;
import dev.trawl.core.s3.S3Layout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The state of one dissection, as stored in {@code dissections/<snapshot>/<name>/status.json}.
 * The functions write it when a dissection is requested, stopped or deleted; the job writes its
 * progress. Immutable: every change is a {@code with...} copy, so a writer never publishes half
 * an update.
 *
 * <p>{@code firstTs}/{@code lastTs} are epoch milliseconds of the first and last entry (as the
 * seed's {@code /mcp/databases} shows them); times of the job itself are instants.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DissectionStatus(
        @JsonProperty("snapshot") String snapshot,
        @JsonProperty("name") String name,
        @JsonProperty("status") State status,
        @JsonProperty("progress") int progress,
        @JsonProperty("stats") Stats stats,
        @JsonProperty("errors") List<String> errors,
        @JsonProperty("created_at") Instant createdAt,
        @JsonProperty("started_at") Instant startedAt,
        @JsonProperty("finished_at") Instant finishedAt,
        @JsonProperty("cancel_requested") boolean cancelRequested,
        @JsonProperty("entry_count") long entryCount,
        @JsonProperty("first_ts") Long firstTs,
        @JsonProperty("last_ts") Long lastTs,
        @JsonProperty("updated_at") Instant updatedAt,
        @JsonProperty("partitions") List<Partition> partitions) {

    /** At most this many errors are kept: a snapshot full of damaged files must not make the status huge. */
    public static final int MAX_ERRORS = 100;

    public DissectionStatus {
        Names.require("snapshot", snapshot);
        Names.require("dissection", name);
        Objects.requireNonNull(status, "status");
        if (progress < 0 || progress > 100) throw new IllegalArgumentException("progress " + progress + " is not 0-100");
        stats = stats == null ? Stats.EMPTY : stats;
        errors = errors == null ? List.of() : List.copyOf(errors);
        partitions = partitions == null ? List.of() : List.copyOf(partitions);
    }

    /** A just-requested dissection. */
    public static DissectionStatus pending(String snapshot, String name, Instant now) {
        return new DissectionStatus(snapshot, name, State.PENDING, 0, Stats.EMPTY, List.of(), now, null, null, false, 0, null, null, now, List.of());
    }

    /** The ClickHouse dataset of this dissection: {@code <snapshot>/<name>}. */
    public String dataset() {
        return S3Layout.dataset(snapshot, name);
    }

    public DissectionStatus withStatus(State next, Instant now) {
        Instant started = startedAt == null && next != State.PENDING && !next.isTerminal() ? now : startedAt;
        Instant finished = next.isTerminal() ? now : null;
        int p = next == State.COMPLETED ? 100 : progress;
        return new DissectionStatus(snapshot, name, next, p, stats, errors, createdAt, started, finished, cancelRequested, entryCount, firstTs, lastTs, now, partitions);
    }

    public DissectionStatus withProgress(int percent, Stats newStats, Instant now) {
        int p = Math.max(0, Math.min(100, percent));
        return new DissectionStatus(snapshot, name, status, p, newStats, errors, createdAt, startedAt, finishedAt, cancelRequested, entryCount, firstTs, lastTs, now, partitions);
    }

    /** Adds errors, keeping the first {@link #MAX_ERRORS} (the later ones are counted in a last line). */
    public DissectionStatus withErrors(List<String> more, Instant now) {
        if (more.isEmpty()) return this;
        List<String> all = new ArrayList<>(errors);
        for (String e : more) {
            if (all.contains(e)) continue;
            if (all.size() < MAX_ERRORS) all.add(e);
        }
        return new DissectionStatus(snapshot, name, status, progress, stats, all, createdAt, startedAt, finishedAt, cancelRequested, entryCount, firstTs, lastTs, now, partitions);
    }

    public DissectionStatus withCancelRequested(Instant now) {
        return new DissectionStatus(snapshot, name, status, progress, stats, errors, createdAt, startedAt, finishedAt, true, entryCount, firstTs, lastTs, now, partitions);
    }

    /** Keeps a stop request across a restart. */
    public DissectionStatus withCancelRequestedIf(boolean requested, Instant now) {
        return requested ? withCancelRequested(now) : this;
    }

    public DissectionStatus withEntries(long count, Long first, Long last, Instant now) {
        return new DissectionStatus(snapshot, name, status, progress, stats, errors, createdAt, startedAt, finishedAt, cancelRequested, count, first, last, now, partitions);
    }

    /**
     * A re-run of the same dissection after a crash: the partitions that completed keep their
     * counts (they are not redone); the rest of the counters go back to zero.
     */
    public DissectionStatus restarted(Instant now) {
        List<Partition> kept = partitions.stream().filter(p -> p.status().equals(Partition.COMPLETED)).toList();
        return new DissectionStatus(snapshot, name, State.PENDING, 0, Stats.EMPTY, List.of(), createdAt, null, null, false, 0, null, null, now, kept);
    }

    /** The job's partitions as they stand; the caller merges what other workers wrote (see the job's run). */
    public DissectionStatus withPartitions(List<Partition> all, Instant now) {
        return new DissectionStatus(snapshot, name, status, progress, stats, errors, createdAt, startedAt, finishedAt, cancelRequested, entryCount, firstTs, lastTs, now, all);
    }

    /**
     * One partition of the job: a node's chunks, or a time slice of a large node's. {@code key}
     * names it ({@code <node>} or {@code <node>@<slice>}); {@code status} is {@code pending},
     * {@code running}, {@code completed}, {@code failed}; {@code attempts} counts its runs.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Partition(
            @JsonProperty("key") String key,
            @JsonProperty("node") String node,
            @JsonProperty("status") String status,
            @JsonProperty("pcap_files") long pcapFiles,
            @JsonProperty("pcap_bytes") long pcapBytes,
            @JsonProperty("packets_processed") long packetsProcessed,
            @JsonProperty("entries_created") long entriesCreated,
            @JsonProperty("attempts") int attempts,
            @JsonProperty("protocol_counts") Map<String, Long> protocolCounts) {
        public static final String PENDING = "pending";
        public static final String RUNNING = "running";
        public static final String COMPLETED = "completed";
        public static final String FAILED = "failed";

        public Partition {
            Objects.requireNonNull(key, "key");
            protocolCounts = protocolCounts == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(protocolCounts));
        }
    }

    /** pending → downloading → running → uploading → completed / failed / cancelled (the seed's values). */
    public enum State {
        @JsonProperty("pending") PENDING,
        @JsonProperty("downloading") DOWNLOADING,
        @JsonProperty("running") RUNNING,
        @JsonProperty("uploading") UPLOADING,
        @JsonProperty("completed") COMPLETED,
        @JsonProperty("failed") FAILED,
        @JsonProperty("cancelled") CANCELLED;

        public boolean isTerminal() {
            return this == COMPLETED || this == FAILED || this == CANCELLED;
        }

        /** The value as the API and status.json spell it. */
        public String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static State of(String value) {
            return valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** The seed's {@code stats}; protocol counts are kept sorted so status files diff cleanly. */
    public record Stats(
            @JsonProperty("pcap_files") long pcapFiles,
            @JsonProperty("pcap_bytes") long pcapBytes,
            @JsonProperty("packets_processed") long packetsProcessed,
            @JsonProperty("entries_created") long entriesCreated,
            @JsonProperty("protocol_counts") Map<String, Long> protocolCounts) {

        public static final Stats EMPTY = new Stats(0, 0, 0, 0, Map.of());

        public Stats {
            protocolCounts = protocolCounts == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(protocolCounts));
        }
    }
}
