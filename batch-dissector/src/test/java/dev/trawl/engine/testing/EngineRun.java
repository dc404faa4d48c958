package dev.trawl.engine.testing;

import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.DissectionOptions;
import dev.trawl.engine.DissectionStats;
import dev.trawl.engine.Entry;
import dev.trawl.engine.PcapSource;
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
