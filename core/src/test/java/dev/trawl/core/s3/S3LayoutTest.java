package dev.trawl.core.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.core.Names;
import dev.trawl.core.s3.S3Layout.ChunkKey;
import dev.trawl.core.s3.S3Layout.DissectionKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class S3LayoutTest {

    @Test
    void everyKeyItBuildsItParsesBack() {
        String raw = S3Layout.chunkKey("node-a", 5, 9);
        ChunkKey chunk = S3Layout.parseChunkKey(raw).orElseThrow();
        assertThat(chunk).isEqualTo(new ChunkKey("node-a", 5, 9, raw));
        assertThat(S3Layout.parseChunkFileName("node-a", chunk.fileName())).contains(chunk);

        String copy = S3Layout.snapshotChunkKey("snap", chunk);
        assertThat(S3Layout.parseSnapshotChunkKey("snap", copy)).contains(new ChunkKey("node-a", 5, 9, copy));
        assertThat(S3Layout.parseSnapshotChunkKey("other", copy)).isEmpty();
        assertThat(S3Layout.parseSnapshotChunkKey("snap", S3Layout.snapshotManifestKey("snap"))).isEmpty();
        assertThat(S3Layout.parseSnapshotChunkKey("snap", S3Layout.chunkMetaKey(copy))).isEmpty();
        assertThat(S3Layout.parseSnapshotChunkKey("snap", S3Layout.snapshotExportKey("snap", "0123abcd", "pcap"))).isEmpty();

        assertThat(S3Layout.parsePendingSnapshotKey(S3Layout.pendingSnapshotKey("snap"))).contains("snap");
        assertThat(S3Layout.parseDissectionStatusKey(S3Layout.dissectionStatusKey("snap", "d1"))).contains(new DissectionKey("snap", "d1"));
        assertThat(S3Layout.dissectionStatusKey("snap", "d1")).startsWith(S3Layout.dissectionsPrefix("snap"))
                .startsWith(S3Layout.dissectionsPrefix(null));
        assertThat(S3Layout.childName(S3Layout.NODES, S3Layout.NODES + "node-a/")).contains("node-a");
    }

    @Test
    void keysThatTrawlDidNotWriteParseToNothing() {
        assertThat(S3Layout.parseDissectionStatusKey("dissections/snap/d1/other.json")).isEmpty();
        assertThat(S3Layout.parseDissectionStatusKey("dissections/snap/../status.json")).isEmpty();
        assertThat(S3Layout.parseDissectionStatusKey("dissections/a..b/d1/status.json")).isEmpty();
        assertThat(S3Layout.parsePendingSnapshotKey("snapshots/.pending/Bad Name")).isEmpty();
        assertThat(S3Layout.childName(S3Layout.SNAPSHOTS, S3Layout.PENDING_SNAPSHOTS)).isEmpty();
        assertThat(S3Layout.parseSnapshotChunkKey("snap", "snapshots/snap/.exports/1-2.pcap")).isEmpty();
        assertThatThrownBy(() -> S3Layout.snapshotExportKey("snap", "../x", "pcap")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> S3Layout.pendingSnapshotKey("../x")).isInstanceOf(Names.InvalidNameException.class);
    }

    /** A string literal that spells an S3 key's prefix or file name: it belongs in S3Layout. */
    private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
    private static final List<String> KEY_PREFIXES = List.of("raw/", "nodes/", "snapshots/", "dissections/", "audit/");
    private static final List<String> KEY_PARTS = List.of(".pending", "raw-range", "heartbeat.json", "manifest.json", "status.json",
            ".meta.json", ".exports");

    @Test
    void noS3KeyIsSpelledOutsideS3Layout() throws IOException {
        Path repo = Path.of("").toAbsolutePath().getParent();
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(repo)) {
            for (Path main : modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.walk(main)) {
                    files.filter(p -> p.toString().endsWith(".java") && !p.getFileName().toString().equals("S3Layout.java")).forEach(sources::add);
                }
            }
        }
        assertThat(sources).as("the modules' sources under %s", repo).hasSizeGreaterThan(50);
        List<String> found = new ArrayList<>();
        for (Path source : sources) {
            List<String> lines = Files.readAllLines(source);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) continue;
                Matcher m = LITERAL.matcher(line);
                while (m.find()) {
                    String literal = m.group(1);
                    if (KEY_PREFIXES.stream().anyMatch(literal::startsWith) || KEY_PARTS.stream().anyMatch(literal::contains)) {
                        found.add(repo.relativize(source) + ":" + (i + 1) + ": \"" + literal + "\"");
                    }
                }
            }
        }
        assertThat(found).as("S3 key literals outside S3Layout (build keys with S3Layout, read and write them with a store)").isEmpty();
    }
}
