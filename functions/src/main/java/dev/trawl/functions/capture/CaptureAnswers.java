package dev.trawl.functions.capture;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The answers of {@code GET /mcp/raw-capture} and {@code GET /mcp/data-boundaries}, as their JSON has them. */
public final class CaptureAnswers {
    private CaptureAnswers() {}

    /** Whether any node captures now, and the cluster's capture session (empty when none does). */
    public record RawCapture(boolean enabled, @JsonProperty("session_id") String sessionId, List<NodeCapture> nodes) {}

    public record NodeCapture(String name, boolean enabled, @JsonProperty("session_id") String sessionId, String mode,
            @JsonProperty("last_seen_ts") long lastSeenTs, long packets, long drops) {}

    /** The time range of raw traffic, over the cluster (nulls when there is none) and per node, in ms. */
    public record DataBoundaries(Range cluster, List<NodeBoundaries> nodes) {}

    public record Range(@JsonProperty("oldest_ts") Long oldestTs, @JsonProperty("newest_ts") Long newestTs) {}

    public record NodeBoundaries(String name, @JsonProperty("oldest_ts") long oldestTs, @JsonProperty("newest_ts") long newestTs) {}
}
