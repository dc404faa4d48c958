package dev.trawl.core.chunk;

import java.util.List;
import java.util.Objects;

/**
 * The JSON of {@code nodes/<node>/heartbeat.json}, rewritten by the capture daemon every few
 * seconds; {@code /mcp/raw-capture} and {@code /mcp/data-boundaries} read it. Counters are
 * totals since the session started.
 *
 * @param node             the node
 * @param enabled          whether capture is on (false after a clean stop)
 * @param sessionId        the capture session (one per daemon start)
 * @param mode             {@code live} or {@code replay}
 * @param startedMillis    when the session started, ms since the epoch
 * @param lastSeenMillis   when this heartbeat was written, ms since the epoch
 * @param packets          packets captured
 * @param bytes            packet bytes captured (captured lengths)
 * @param kernelDrops      drops libpcap reported (ps_drop + ps_ifdrop)
 * @param spoolDrops       closed chunks dropped from the full spool before they reached S3
 * @param spoolDroppedPackets packets in those dropped chunks
 * @param chunksUploaded   chunks confirmed in S3
 * @param spoolBytes       bytes waiting in the local spool now
 * @param spoolCapBytes    the spool's size cap
 * @param interfaces       interfaces captured (or replayed files)
 * @param lastChunkKey     the latest chunk confirmed in S3, or null
 */
public record Heartbeat(
        String node,
        boolean enabled,
        String sessionId,
        String mode,
        long startedMillis,
        long lastSeenMillis,
        long packets,
        long bytes,
        long kernelDrops,
        long spoolDrops,
        long spoolDroppedPackets,
        long chunksUploaded,
        long spoolBytes,
        long spoolCapBytes,
        List<String> interfaces,
        String lastChunkKey) {

    public Heartbeat {
        Objects.requireNonNull(node, "node");
        interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
    }

    /** All drops, kernel and own: what a user asks for when checking a capture is complete. */
    public long drops() {
        return kernelDrops + spoolDroppedPackets;
    }

    public byte[] toJson() {
        return ChunkJson.write(this);
    }

    public static Heartbeat fromJson(byte[] json) {
        return ChunkJson.read(json, Heartbeat.class);
    }
}
