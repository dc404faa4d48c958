package dev.trawl.core.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.trawl.core.Names;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code snapshots/<name>/manifest.json}: the one record of a snapshot. It is written first when
 * the snapshot is requested (status {@code in_progress}, no objects) and rewritten by assembly;
 * the dissection job and the export read it. Its objects are the evidence: every copied chunk
 * with its sha256, so a copy can be checked against the raw chunk it came from.
 *
 * <p>Times: the window is in milliseconds since the epoch (the API's unit), both ends inclusive
 * (a packet at any nanosecond of the end millisecond is in); object time ranges are nanoseconds
 * (the chunk keys' unit).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotManifest(
        @JsonProperty("version") int version,
        @JsonProperty("name") String name,
        @JsonProperty("status") SnapshotStatus status,
        /** ISO-8601 instant, e.g. {@code 2025-01-15T10:30:00Z}. */
        @JsonProperty("created_at") String createdAt,
        /** As requested ({@code 30m}, {@code 1h}), or the explicit window's length in the same form. */
        @JsonProperty("duration") String duration,
        /** The window the user asked for. */
        @JsonProperty("requested_window") Window requestedWindow,
        /** The window the snapshot holds: the requested one clipped to the data there was. */
        @JsonProperty("window") Window window,
        /** Nodes asked for; null or empty means every node. */
        @JsonProperty("nodes") List<String> nodes,
        @JsonProperty("objects") List<SnapshotObject> objects,
        /** Why the snapshot failed (status {@code failed}), else null. */
        @JsonProperty("error") String error,
        /** Set when the window was clipped to the available data: says what was and what is. */
        @JsonProperty("clipping") String clipping,
        /** ISO-8601 instant assembly finished, else null. */
        @JsonProperty("completed_at") String completedAt,
        /** Raw chunks of the window left out because they could not be read: evidence of what is missing. */
        @JsonProperty("skipped_chunks") List<SkippedChunk> skippedChunks) {

    public static final int CURRENT_VERSION = 1;

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    public SnapshotManifest {
        Names.require("snapshot", name);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(window, "window");
        nodes = nodes == null ? List.of() : List.copyOf(nodes);
        objects = objects == null ? List.of() : List.copyOf(objects);
        skippedChunks = skippedChunks == null ? List.of() : List.copyOf(skippedChunks);
        if (requestedWindow == null) requestedWindow = window;
    }

    /** A snapshot just requested: nothing copied yet. */
    public static SnapshotManifest requested(String name, String createdAt, String duration, Window window, List<String> nodes) {
        return new SnapshotManifest(CURRENT_VERSION, name, SnapshotStatus.IN_PROGRESS, createdAt, duration,
                window, window, nodes, List.of(), null, null, null, List.of());
    }

    public SnapshotManifest withObjects(List<SnapshotObject> newObjects, Window clippedWindow, String clippingNote) {
        return new SnapshotManifest(version, name, status, createdAt, duration, requestedWindow, clippedWindow,
                nodes, newObjects, error, clippingNote, completedAt, skippedChunks);
    }

    /** The same snapshot with {@code next} as its status: pending while it waits its turn, then in progress. */
    public SnapshotManifest withStatus(SnapshotStatus next) {
        return new SnapshotManifest(version, name, next, createdAt, duration, requestedWindow, window, nodes, objects,
                error, clipping, completedAt, skippedChunks);
    }

    public SnapshotManifest completed(String at) {
        return new SnapshotManifest(version, name, SnapshotStatus.COMPLETED, createdAt, duration, requestedWindow,
                window, nodes, objects, null, clipping, at, skippedChunks);
    }

    public SnapshotManifest failed(String reason, String at) {
        return new SnapshotManifest(version, name, SnapshotStatus.FAILED, createdAt, duration, requestedWindow,
                window, nodes, objects, reason, clipping, at, skippedChunks);
    }

    public SnapshotManifest withSkippedChunks(List<SkippedChunk> skipped) {
        return new SnapshotManifest(version, name, status, createdAt, duration, requestedWindow, window,
                nodes, objects, error, clipping, completedAt, skipped);
    }

    /** Packets inside the window (what an unfiltered export holds). */
    @JsonIgnore
    public long packetCount() {
        return objects.stream().mapToLong(SnapshotObject::windowPacketCount).sum();
    }

    /**
     * Bytes of an unfiltered classic-pcap export of {@code onlyNodes} (all when empty), or -1
     * when some object's size in that format is not known.
     */
    public long pcapExportSize(List<String> onlyNodes) {
        long size = 24;
        for (SnapshotObject o : objects) {
            if (!onlyNodes.isEmpty() && !onlyNodes.contains(o.node())) continue;
            if (o.windowRecordBytes() < 0) return -1;
            size += o.windowRecordBytes();
        }
        return size;
    }

    @JsonIgnore
    public long sizeBytes() {
        return objects.stream().mapToLong(SnapshotObject::sizeBytes).sum();
    }

    /** Nodes that contributed at least one object. */
    @JsonIgnore
    public int nodeCount() {
        return (int) objects.stream().map(SnapshotObject::node).distinct().count();
    }

    /** Whether {@code node} is in this snapshot's node selection (an empty selection takes every node). */
    public boolean includesNode(String node) {
        return nodes.isEmpty() || nodes.contains(node);
    }

    public byte[] toJson() {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
    }

    public static SnapshotManifest fromJson(byte[] json) {
        return JSON.readValue(json, SnapshotManifest.class);
    }

    /** A raw chunk left out of the snapshot: its node, its {@code raw/} key and why it could not be read. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SkippedChunk(@JsonProperty("node") String node, @JsonProperty("source_key") String sourceKey,
            @JsonProperty("reason") String reason) {}

    /** A time window in ms since the epoch, both ends inclusive. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Window(@JsonProperty("start_ts") long startMs, @JsonProperty("end_ts") long endMs) {
        public Window {
            if (endMs < startMs) throw new IllegalArgumentException("window end " + endMs + " is before its start " + startMs);
        }

        public long startNanos() {
            return Math.multiplyExact(startMs, 1_000_000L);
        }

        /** The last nanosecond in the window (inclusive). */
        public long endNanos() {
            return Math.addExact(Math.multiplyExact(endMs, 1_000_000L), 999_999L);
        }

        public boolean containsNanos(long nanos) {
            return nanos >= startNanos() && nanos <= endNanos();
        }

        public long lengthMs() {
            return endMs - startMs;
        }
    }

    /**
     * One copied chunk: {@code key} is its copy under {@code snapshots/<name>/}, {@code sourceKey}
     * the {@code raw/} chunk it came from. The time range is that of the chunk's packets (a chunk
     * that straddles the window's edge is copied whole; export clips it).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SnapshotObject(
            @JsonProperty("node") String node,
            @JsonProperty("key") String key,
            @JsonProperty("source_key") String sourceKey,
            @JsonProperty("sha256") String sha256,
            /** Packets in the whole chunk (its meta's count; what capinfos counts in the object). */
            @JsonProperty("packet_count") long packetCount,
            @JsonProperty("size_bytes") long sizeBytes,
            @JsonProperty("start_ns") long startNanos,
            @JsonProperty("end_ns") long endNanos,
            /** libpcap LINKTYPE of the chunk's packets, or null when unknown. */
            @JsonProperty("link_type") Integer linkType,
            /** Packets of this chunk inside the snapshot's window (a chunk on the window's edge holds fewer). */
            @JsonProperty("window_packet_count") long windowPacketCount,
            /** Bytes those packets take as classic-pcap records (16-byte header + data), or -1 when not known. */
            @JsonProperty("window_record_bytes") long windowRecordBytes) {
        public SnapshotObject {
            Names.require("node", node);
            Objects.requireNonNull(key, "key");
        }

        /** A chunk lying wholly inside the window: all its packets count, their record bytes unknown. */
        public SnapshotObject(String node, String key, String sourceKey, String sha256, long packetCount, long sizeBytes,
                long startNanos, long endNanos, Integer linkType) {
            this(node, key, sourceKey, sha256, packetCount, sizeBytes, startNanos, endNanos, linkType, packetCount, -1);
        }
    }
}
