package dev.trawl.core.chunk;

import dev.trawl.core.s3.S3Layout;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The JSON of {@code raw/<node>/<start>-<end>.meta.json}: what a chunk holds and how it was
 * captured, written by the capture daemon beside each chunk.
 *
 * @param node          the node that captured it
 * @param key           the chunk's S3 key ({@link S3Layout#chunkKey})
 * @param packets       packets in the chunk
 * @param bytes         size of the PCAP object in bytes (file header included)
 * @param firstNanos    timestamp of the first packet, ns since the epoch (the key's start)
 * @param lastNanos     timestamp of the last packet, ns since the epoch (the key's end)
 * @param linkType      the PCAP link type (DLT/LINKTYPE value, e.g. 1 Ethernet, 113 Linux SLL)
 * @param snaplen       the snaplen the chunk was captured with
 * @param sha256        lower-case hex SHA-256 of the PCAP object
 * @param sessionId     the capture session (one per daemon start)
 * @param interfaces    interfaces captured (or replayed files' names, with {@code mode} replay)
 * @param mode          {@code live} or {@code replay}
 * @param kernelDrops   drops libpcap reported (ps_drop + ps_ifdrop) while this chunk was open
 * @param workloads     IP address (textual) → workload, valid for the chunk's time range
 */
public record ChunkMeta(
        String node,
        String key,
        long packets,
        long bytes,
        long firstNanos,
        long lastNanos,
        int linkType,
        int snaplen,
        String sha256,
        String sessionId,
        List<String> interfaces,
        String mode,
        long kernelDrops,
        Map<String, Workload> workloads) {

    public static final String LIVE = "live";
    public static final String REPLAY = "replay";

    public ChunkMeta {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(key, "key");
        interfaces = interfaces == null ? List.of() : List.copyOf(interfaces);
        workloads = workloads == null ? Map.of() : Map.copyOf(workloads);
    }

    /** Where this meta lives: the chunk key with {@code .meta.json} for {@code .pcap}. */
    public String metaKey() {
        return S3Layout.chunkMetaKey(key);
    }

    public byte[] toJson() {
        return ChunkJson.write(this);
    }

    public static ChunkMeta fromJson(byte[] json) {
        return ChunkJson.read(json, ChunkMeta.class);
    }
}
