package dev.trawl.capture.spool;

import dev.trawl.capture.chunk.PcapChunkFile;
import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.chunk.Workload;
import dev.trawl.core.s3.S3Layout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local spool of one node: closed chunks wait here until S3 has confirmed them.
 *
 * <p>Files: {@code <session>-<seq>.pcap.part} while a capture writes; then
 * {@code <start>-<end>.meta.json} (written and synced first) and {@code <start>-<end>.pcap}
 * (renamed last). The names come from the chunk's own packet times, so a chunk found here after
 * a crash is uploaded under the key it would have had; an upload repeated after a crash
 * overwrites the same key instead of storing the chunk twice.
 *
 * <p>The spool has a cap: when S3 stays away, the oldest closed chunks go first, and every drop
 * is counted ({@link #droppedChunks()}, {@link #droppedPackets()}) and logged.
 */
public final class Spool {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);
    static final String PART = ".pcap.part";

    private final Path dir;
    private final String node;
    private final long capBytes;
    private final AtomicLong droppedChunks = new AtomicLong();
    private final AtomicLong droppedPackets = new AtomicLong();
    private final AtomicLong droppedBytes = new AtomicLong();
    private Path transferring; // guarded by this: never dropped from its upload until it is removed

    public Spool(Path root, String node, long capBytes) {
        this.node = node;
        this.dir = root.resolve(dev.trawl.core.Names.require("node", node));
        this.capBytes = capBytes;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create spool " + dir, e);
        }
    }

    /** A closed chunk waiting for S3. */
    public record Pending(Path pcap, Path meta, String key, long size) {}

    public Path dir() {
        return dir;
    }

    public long capBytes() {
        return capBytes;
    }

    /** A fresh file for a capture to write into. */
    public Path newPart(String sessionId, long sequence) {
        return dir.resolve(sessionId + "-" + String.format("%09d", sequence) + PART);
    }

    /**
     * Turns a finished part file into a closed chunk: scans it, writes its meta, renames it to
     * its key's name. Empty parts are deleted. Returns the meta, or empty for an empty part.
     */
    public synchronized Optional<ChunkMeta> close(Path part, ChunkInfo info) throws IOException {
        PcapChunkFile.Scan scan = PcapChunkFile.scan(part);
        if (!scan.complete()) {
            log.warn("{} ends inside a record (writer killed mid-write): keeping its {} complete packets", part.getFileName(), scan.packets());
            PcapChunkFile.truncate(part, scan.validLength());
            scan = PcapChunkFile.scan(part);
        }
        if (scan.packets() == 0) {
            Files.deleteIfExists(part);
            return Optional.empty();
        }
        if (!scan.ordered()) {
            PcapChunkFile.sortByTime(part);
            scan = PcapChunkFile.scan(part);
        }
        long end = scan.maxNanos();
        String key = S3Layout.chunkKey(node, scan.minNanos(), end);
        // two different chunks with the very same range (two interfaces, one instant) must not
        // overwrite each other; the same chunk closed again (recovery) may
        while (Files.exists(dir.resolve(baseName(key) + ".pcap")) && !sameChunk(dir.resolve(baseName(key) + S3Layout.META_SUFFIX), scan.sha256())) {
            key = S3Layout.chunkKey(node, scan.minNanos(), ++end);
        }
        ChunkMeta meta = new ChunkMeta(node, key, scan.packets(), scan.validLength(), scan.minNanos(), end,
                scan.linkType(), scan.snaplen(), scan.sha256(), info.sessionId(), info.interfaces(), info.mode(),
                info.kernelDrops(), info.workloads());
        String base = baseName(key);
        Path pcap = dir.resolve(base + ".pcap");
        Path metaFile = dir.resolve(base + S3Layout.META_SUFFIX);
        force(part);
        writeDurably(metaFile, meta.toJson());
        move(part, pcap);
        enforceCap();
        return Optional.of(meta);
    }

    private static boolean sameChunk(Path meta, String sha256) {
        try {
            return ChunkMeta.fromJson(Files.readAllBytes(meta)).sha256().equals(sha256);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** How a part file was captured: what its meta says beyond what the file itself tells. */
    public record ChunkInfo(String sessionId, String mode, List<String> interfaces, long kernelDrops, Map<String, Workload> workloads) {}

    /**
     * After a crash: torn part files become chunks (their complete packets), chunks without a
     * meta get one from their own bytes, metas without a chunk go. Returns the chunks recovered.
     */
    public synchronized int recover(String mode, List<String> interfaces) throws IOException {
        int recovered = 0;
        for (Path part : list(PART)) {
            String name = part.getFileName().toString();
            String session = name.substring(0, Math.max(0, name.lastIndexOf('-')));
            try {
                if (close(part, new ChunkInfo(session, mode, interfaces, 0, Map.of())).isPresent()) recovered++;
            } catch (IOException e) {
                quarantine(part, e);
            }
        }
        for (Path pcap : list(".pcap")) {
            Path meta = metaOf(pcap);
            if (!Files.exists(meta)) {
                // renamed by hand or cut short between the two renames: rebuild the meta from the bytes
                Path part = dir.resolve(pcap.getFileName() + ".recovered" + PART);
                move(pcap, part);
                try {
                    if (close(part, new ChunkInfo("recovered", mode, interfaces, 0, Map.of())).isPresent()) recovered++;
                } catch (IOException e) {
                    quarantine(part, e);
                }
            }
        }
        for (Path meta : list(S3Layout.META_SUFFIX)) {
            if (!Files.exists(dir.resolve(meta.getFileName().toString().replace(S3Layout.META_SUFFIX, S3Layout.CHUNK_SUFFIX)))) {
                Files.deleteIfExists(meta);
            }
        }
        // what a kill left of a write or rewrite cut short (the meta's, PcapChunkFile.sortByTime's,
        // LiveCapture's refilter's): the file it was made from is intact, and was closed above
        for (String cutShort : List.of(".tmp", ".sorting", ".filtering")) {
            for (Path tmp : list(cutShort)) Files.deleteIfExists(tmp);
        }
        enforceCap();
        return recovered;
    }

    /** Keeps a file the spool cannot read out of the way, for a human to look at: never deleted, never uploaded. */
    private void quarantine(Path file, IOException why) throws IOException {
        Path q = dir.resolveSibling(dir.getFileName() + ".quarantine");
        Files.createDirectories(q);
        move(file, q.resolve(file.getFileName()));
        log.error("{}: cannot be read as a chunk ({}); moved to {}", file.getFileName(), why.getMessage(), q);
    }

    /** Closed chunks, oldest first (names sort by start time). */
    public synchronized List<Pending> pending() throws IOException {
        List<Pending> out = new ArrayList<>();
        for (Path pcap : list(".pcap")) {
            var chunk = S3Layout.parseChunkFileName(node, pcap.getFileName().toString());
            if (chunk.isEmpty()) continue;
            try {
                out.add(new Pending(pcap, metaOf(pcap), chunk.get().key(), Files.size(pcap)));
            } catch (java.nio.file.NoSuchFileException gone) {
                // dropped by the cap meanwhile
            }
        }
        return out;
    }

    /**
     * Marks the chunk going to S3 now, so the cap does not drop it: not while its bytes are on the
     * wire, and not once S3 has it (its event may still be retried; a drop then would count a chunk
     * S3 holds as lost). False when the cap dropped it already. Ends with {@link #remove} or
     * {@link #release}.
     */
    public synchronized boolean claim(Pending chunk) {
        if (!Files.exists(chunk.pcap())) return false;
        transferring = chunk.pcap();
        return true;
    }

    /** The upload failed: the cap may drop the chunk again. */
    public synchronized void release() {
        transferring = null;
    }

    /** Removes a chunk S3 has confirmed. */
    public synchronized void remove(Pending chunk) throws IOException {
        Files.deleteIfExists(chunk.pcap());
        Files.deleteIfExists(chunk.meta());
        if (chunk.pcap().equals(transferring)) transferring = null;
    }

    public synchronized long bytes() {
        long total = 0;
        try {
            for (Path p : list("")) {
                try {
                    total += Files.size(p);
                } catch (java.nio.file.NoSuchFileException ignored) {
                    // removed meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return total;
    }

    public long droppedChunks() {
        return droppedChunks.get();
    }

    public long droppedPackets() {
        return droppedPackets.get();
    }

    public long droppedBytes() {
        return droppedBytes.get();
    }

    /** Drops the oldest closed chunks until the spool fits its cap again. */
    private void enforceCap() throws IOException {
        long total = bytes();
        if (total <= capBytes) return;
        for (Pending oldest : pending()) {
            if (total <= capBytes) break;
            if (oldest.pcap().equals(transferring)) continue;
            long packets = 0;
            try {
                packets = ChunkMeta.fromJson(Files.readAllBytes(oldest.meta())).packets();
            } catch (IOException | RuntimeException e) {
                log.debug("meta of dropped chunk {} unreadable", oldest.key(), e);
            }
            long size = oldest.size() + sizeOrZero(oldest.meta());
            remove(oldest);
            total -= size;
            droppedChunks.incrementAndGet();
            droppedPackets.addAndGet(packets);
            droppedBytes.addAndGet(oldest.size());
            log.warn("spool over its cap of {} bytes: dropped the oldest chunk {} ({} packets) before it reached S3 ({} chunks dropped so far)",
                    capBytes, oldest.key(), packets, droppedChunks.get());
        }
    }

    private Path metaOf(Path pcap) {
        return dir.resolve(S3Layout.chunkMetaKey(pcap.getFileName().toString()));
    }

    private List<Path> list(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> {
                        String n = p.getFileName().toString();
                        if (suffix.equals(".pcap")) return n.endsWith(".pcap");
                        return n.endsWith(suffix);
                    })
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        }
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String baseName(String key) {
        String file = key.substring(key.lastIndexOf('/') + 1);
        return file.substring(0, file.length() - ".pcap".length());
    }

    private static void force(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void writeDurably(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        move(tmp, target);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
