package dev.trawl.capture;

import dev.trawl.capture.chunk.PcapChunkFile;
import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.s3.S3Layout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Test helpers: what a node's {@code raw/} prefix holds, read back through S3. */
final class Chunks {
    private Chunks() {}

    record Stored(String key, ChunkMeta meta, Path file, PcapChunkFile.Scan scan) {}

    /** Downloads every chunk and its meta of a node, in key (time) order. */
    static List<Stored> download(S3Client s3, String bucket, String node, Path into) throws IOException {
        List<Stored> out = new ArrayList<>();
        Files.createDirectories(into);
        List<S3Object> objects = s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(S3Layout.rawPrefix(node))).contents().stream().toList();
        for (S3Object o : objects) {
            if (S3Layout.parseChunkKey(o.key()).isEmpty()) continue;
            Path file = into.resolve(o.key().substring(o.key().lastIndexOf('/') + 1));
            Files.deleteIfExists(file);
            s3.getObject(b -> b.bucket(bucket).key(o.key()), file);
            ChunkMeta meta = ChunkMeta.fromJson(s3.getObjectAsBytes(b -> b.bucket(bucket).key(S3Layout.chunkMetaKey(o.key()))).asByteArray());
            out.add(new Stored(o.key(), meta, file, PcapChunkFile.scan(file)));
        }
        return out;
    }

    /** capinfos' packet count of a file (the reference reader). */
    static long capinfosPackets(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("capinfos", "-M", "-c", "-T", "-r", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (p.waitFor() != 0) throw new IOException("capinfos failed on " + file + ": " + out);
        String[] cols = out.split("\t");
        return Long.parseLong(cols[cols.length - 1].trim());
    }

    /**
     * tcpdump beside the capture under test: writes what {@code filter} selects on {@code device}
     * to {@code file}, and returns once it listens (its start is not a fixed sleep, which a busy
     * machine outlasts). {@code destroy()} (SIGTERM) makes it flush and exit; what arrived in
     * libpcap's last buffer timeout (1 s) may be missing, so stop it that much after the traffic.
     */
    static Process tcpdumpBeside(String device, String filter, Path file) throws IOException, InterruptedException {
        Path log = file.resolveSibling(file.getFileName() + ".log");
        Process p = new ProcessBuilder("tcpdump", "-i", device, "-s", "0", "-U", "-w", file.toString(), filter)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("listening on")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroy();
                throw new IOException("tcpdump -i " + device + " '" + filter + "' did not start: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return p;
    }

    static Path sharedPcaps() {
        String dir = System.getenv("TRAWL_SHARED_DIR");
        Path base = dir != null ? Paths.get(dir) : Paths.get("..", "shared").toAbsolutePath();
        if (!Files.isDirectory(base)) base = Paths.get("..", "..", "shared").toAbsolutePath();
        return base.resolve("pcaps");
    }

    static boolean hasTool(String tool) {
        try {
            return new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
