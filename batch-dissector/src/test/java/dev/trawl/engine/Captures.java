package dev.trawl.engine;

import dev.trawl.core.pcap.PcapWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes a capture for a test and dissects captures into a list. */
final class Captures {
    interface Body {
        void write(PcapWriter out) throws IOException;
    }

    private Captures() {}

    static Path write(Path file, Body body) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); PcapWriter w = new PcapWriter(os, PcapWriter.LINKTYPE_ETHERNET, true)) {
            body.write(w);
        }
        return file;
    }

    record Result(List<Entry> entries, DissectionStats stats) {
        List<Entry> protocol(String p) {
            return entries.stream().filter(e -> e.protocol().equals(p)).toList();
        }
    }

    static Result dissect(DissectionEngine engine, Path... files) throws IOException {
        List<Entry> entries = new ArrayList<>();
        DissectionStats s = engine.dissect("node-1", java.util.Arrays.stream(files).map(PcapSource::file).toList(), entries::add);
        return new Result(entries, s);
    }

    static Result dissect(Path... files) throws IOException {
        return dissect(DissectionEngine.standard(), files);
    }

    static Result shared(String file) throws IOException {
        return dissect(SharedCaptures.path(file));
    }
}
