package dev.trawl.core.chunk;

import dev.trawl.core.events.TrawlEvents;
import java.util.Objects;

/**
 * The data of a {@link TrawlEvents#PCAP_UPLOADED} event, sent after a chunk and its meta are
 * confirmed in S3.
 *
 * @param node       the node that captured it
 * @param key        the chunk's S3 key
 * @param metaKey    its meta's S3 key
 * @param startNanos first packet, ns since the epoch
 * @param endNanos   last packet, ns since the epoch
 * @param packets    packets in the chunk
 * @param bytes      size of the PCAP object
 * @param sha256     hex SHA-256 of the PCAP object
 */
public record PcapUploaded(
        String node, String key, String metaKey, long startNanos, long endNanos, long packets, long bytes, String sha256) {

    public PcapUploaded {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(key, "key");
    }

    public static PcapUploaded of(ChunkMeta meta) {
        return new PcapUploaded(meta.node(), meta.key(), meta.metaKey(), meta.firstNanos(), meta.lastNanos(),
                meta.packets(), meta.bytes(), meta.sha256());
    }

    public static PcapUploaded fromJson(byte[] json) {
        return ChunkJson.read(json, PcapUploaded.class);
    }
}
