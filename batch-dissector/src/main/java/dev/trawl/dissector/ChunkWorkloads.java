package dev.trawl.dissector;

import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.engine.Workloads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The workload table of a chunk, from the {@code .meta.json} beside it (in {@code raw/}, or the
 * copy a snapshot took). A chunk without a meta, or with one that does not parse, is dissected
 * with no names: the packets matter more than the labels.
 */
public final class ChunkWorkloads {
    private static final Logger log = LoggerFactory.getLogger(ChunkWorkloads.class);

    private ChunkWorkloads() {}

    public static Workloads read(S3Client s3, String bucket, String chunkKey, Retry retry) {
        if (!chunkKey.endsWith(".pcap")) return Workloads.NONE;
        String metaKey = S3Layout.chunkMetaKey(chunkKey);
        // S3 unreachable is the caller's failure (as for the chunk itself), not an unnamed chunk
        byte[] json = retry.run("reading " + metaKey, () -> {
            try {
                return s3.getObjectAsBytes(b -> b.bucket(bucket).key(metaKey)).asByteArray();
            } catch (NoSuchKeyException none) {
                return null;
            }
        });
        if (json == null) return Workloads.NONE;
        try {
            return Workloads.of(ChunkMeta.fromJson(json).workloads());
        } catch (RuntimeException malformed) {
            log.warn("{}: not a chunk meta, entries stay unnamed: {}", metaKey, malformed.getMessage());
            return Workloads.NONE;
        }
    }
}
