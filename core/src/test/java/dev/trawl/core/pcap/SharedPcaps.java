package dev.trawl.core.pcap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The shared real captures and what tshark saw in them (MANIFEST.tsv). */
public final class SharedPcaps {
    public record Entry(String file, String linkType, long packets, String protocols) {
        public Path path() {
            return dir().resolve(file);
        }
    }

    private SharedPcaps() {}

    public static Path dir() {
        String env = System.getenv("TRAWL_SHARED_DIR");
        Path shared = env != null ? Path.of(env) : Path.of("..", "..", "shared");
        if (!Files.isDirectory(shared.resolve("pcaps"))) shared = Path.of("..", "shared");
        return shared.resolve("pcaps");
    }

    public static List<Entry> manifest() {
        try {
            List<Entry> out = new ArrayList<>();
            List<String> lines = Files.readAllLines(dir().resolve("MANIFEST.tsv"));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split("\t", -1);
                if (f.length < 7) continue;
                out.add(new Entry(f[0], f[4], Long.parseLong(f[5]), f[6]));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
