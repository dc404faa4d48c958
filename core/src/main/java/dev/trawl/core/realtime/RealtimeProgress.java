package dev.trawl.core.realtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.trawl.core.Names;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's real-time lane, as stored in {@code nodes/<node>/realtime.json}: the last chunk whose
 * rows are in ClickHouse ({@code lastChunk}, ending at {@code lastEndNanos}), so a lane started
 * again resumes at the first chunk after it; and the chunks that failed after their retries
 * ({@code gaps}), retried later and shown in {@code /mcp/databases}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RealtimeProgress(
        @JsonProperty("node") String node,
        @JsonProperty("last_chunk") String lastChunk,
        @JsonProperty("last_end_nanos") long lastEndNanos,
        @JsonProperty("gaps") List<Gap> gaps,
        @JsonProperty("updated_at") Instant updatedAt) {

    /** At most this many gaps are kept; a lane failing on every chunk must not grow the file without end. */
    public static final int MAX_GAPS = 1000;

    public RealtimeProgress {
        Names.require("node", node);
        gaps = gaps == null ? List.of() : List.copyOf(gaps);
    }

    public static RealtimeProgress start(String node) {
        return new RealtimeProgress(node, null, Long.MIN_VALUE, List.of(), null);
    }

    public RealtimeProgress withDone(String chunk, long endNanos, Instant now) {
        return new RealtimeProgress(node, chunk, Math.max(endNanos, lastEndNanos), gaps, now);
    }

    /** Records {@code key} as a gap (or counts one more failure of it). */
    public RealtimeProgress withGap(String key, String reason, Instant now) {
        var next = new ArrayList<Gap>();
        int attempts = 1;
        for (Gap g : gaps) {
            if (g.key().equals(key)) attempts = g.attempts() + 1;
            else next.add(g);
        }
        if (next.size() < MAX_GAPS) next.add(new Gap(key, reason, attempts, now));
        return new RealtimeProgress(node, lastChunk, lastEndNanos, next, now);
    }

    public RealtimeProgress withoutGap(String key, Instant now) {
        return new RealtimeProgress(node, lastChunk, lastEndNanos, gaps.stream().filter(g -> !g.key().equals(key)).toList(), now);
    }

    /** A chunk the lane could not dissect: its key, the last reason, how often it was tried, since when. */
    public record Gap(
            @JsonProperty("key") String key,
            @JsonProperty("reason") String reason,
            @JsonProperty("attempts") int attempts,
            @JsonProperty("recorded_at") Instant recordedAt) {}
}
