package dev.trawl.dissect.testing;

import dev.trawl.dissect.DissectionEngine;
import dev.trawl.dissect.DissectionOptions;
import dev.trawl.dissect.DissectionStats;
import dev.trawl.dissect.Entry;
import dev.trawl.dissect.PcapSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Runs the whole engine (reading, reassembly, detection, parsers) on a shared capture. */
public final class EngineRun {
    public record Result(List<Entry> entries, DissectionStats stats) {
        public List<Entry> of(String protocol) {
            return entries.stream().filter(e -> e.protocol().equals(protocol)).toList();
        }
    }

    private EngineRun() {}

    public static Result dissect(String capture) {
        List<Entry> entries = new ArrayList<>();
        DissectionEngine engine = DissectionEngine.builder()
                .options(DissectionOptions.defaults().withBodyLimit(4096)).build();
        try {
            DissectionStats stats = engine.dissect("test-node",
                    List.of(PcapSource.file(CapturedSegments.shared(capture))), entries::add);
            return new Result(entries, stats);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
