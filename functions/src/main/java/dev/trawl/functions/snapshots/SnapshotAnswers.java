package dev.trawl.functions.snapshots;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The answers of the snapshot endpoints, as their JSON has them. */
public final class SnapshotAnswers {
    private SnapshotAnswers() {}

    /** {@code POST /mcp/snapshots}: the snapshot is in progress. */
    public record Created(boolean success, String name, String status) {}

    public record Deleted(boolean success, String name) {}

    public record Listing(List<Summary> snapshots) {}

    public record Summary(String name, String status, @JsonProperty("size_bytes") long sizeBytes,
            @JsonProperty("created_at") String createdAt, String duration) {}

    /**
     * {@code GET /mcp/snapshots/:name}. Why it failed, how it was clipped, the nodes asked for and
     * when it completed are there only when there is something to say.
     */
    public record Details(String name, String status, @JsonProperty("size_bytes") long sizeBytes,
            @JsonProperty("created_at") String createdAt, String duration,
            @JsonProperty("start_ts") long startTs, @JsonProperty("end_ts") long endTs,
            @JsonProperty("node_count") int nodeCount, @JsonProperty("packet_count") long packetCount,
            @JsonInclude(JsonInclude.Include.NON_NULL) String error,
            boolean clipped,
            @JsonInclude(JsonInclude.Include.NON_NULL) String clipping,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("requested_start_ts") Long requestedStartTs,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("requested_end_ts") Long requestedEndTs,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("requested_nodes") List<String> requestedNodes,
            @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("completed_at") String completedAt,
            List<NodeTotals> nodes,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("skipped_chunks") List<Skipped> skippedChunks) {}

    /** A raw chunk left out because it did not parse or hash to its meta's sha256. */
    public record Skipped(String node, String key, String reason) {}

    /** What the snapshot holds of one node. */
    public record NodeTotals(String name, @JsonProperty("packet_count") long packetCount, @JsonProperty("size_bytes") long sizeBytes,
            int chunks) {}

    /** {@code GET /mcp/snapshots/:name/pcap?presign=true}. */
    public record Presigned(boolean success, String name, String url, @JsonProperty("expires_at") String expiresAt,
            @JsonProperty("size_bytes") long sizeBytes, String format) {}
}
