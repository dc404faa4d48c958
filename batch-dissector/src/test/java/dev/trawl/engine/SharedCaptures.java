package dev.trawl.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The shared real captures and tshark's counts for them (MANIFEST.tsv). */
final class SharedCaptures {
    record Capture(String file, long packets, String protocols) {
        Path path() {
            return dir().resolve(file);
        }

        long count(String key) {
            Matcher m = Pattern.compile("(?:^|,)" + Pattern.quote(key) + "=(\\d+)").matcher(protocols);
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        }

        boolean broken() {
            return protocols.contains("MALFORMED") || protocols.contains("CUT-SHORT") || protocols.contains("truncated")
                    || protocols.contains("fuzz") || protocols.contains("bogus") || protocols.contains("crafted")
                    || protocols.contains("expert-errors") || protocols.contains("larger than captured");
        }
    }

    private SharedCaptures() {}

    static Path dir() {
        String env = System.getenv("TRAWL_SHARED_DIR");
        Path shared = env != null ? Path.of(env) : Path.of("..", "..", "shared");
        if (!Files.isDirectory(shared.resolve("pcaps"))) shared = Path.of("..", "shared");
        return shared.resolve("pcaps");
    }

    static Path path(String file) {
        return dir().resolve(file);
    }

    static List<Capture> all() {
        try {
            List<Capture> out = new ArrayList<>();
            List<String> lines = Files.readAllLines(dir().resolve("MANIFEST.tsv"));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split("\t", -1);
                if (f.length >= 7) out.add(new Capture(f[0], Long.parseLong(f[5]), f[6]));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
