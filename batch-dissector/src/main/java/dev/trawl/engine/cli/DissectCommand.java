package dev.trawl.engine.cli;

import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.DissectionOptions;
import dev.trawl.engine.DissectionStats;
import dev.trawl.engine.Entry;
import dev.trawl.engine.EntrySink;
import dev.trawl.engine.PcapSource;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code trawl dissect [--node NAME] [--body-limit BYTES] [--stats-only] FILE...}: dissects the
 * captures in order (as one node's consecutive chunks) and prints one JSON object per entry on
 * stdout, named as the calls table's columns, like {@code zeek -r}; the stats go to stderr as
 * one JSON object. Exit status 0, or 2 for bad arguments, 1 when a file cannot be read or is not
 * a capture (the other files are still dissected).
 */
public final class DissectCommand {
    private DissectCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String node = "local";
        int bodyLimit = DissectionOptions.defaults().bodyLimit();
        boolean statsOnly = false;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--node" -> {
                    if (++i >= args.length) return usage(err, "--node needs a value");
                    node = args[i];
                }
                case "--body-limit" -> {
                    if (++i >= args.length) return usage(err, "--body-limit needs a value");
                    try {
                        bodyLimit = Integer.parseInt(args[i]);
                    } catch (NumberFormatException e) {
                        return usage(err, "--body-limit takes a number of bytes, not '" + args[i] + "'");
                    }
                    if (bodyLimit < 0) return usage(err, "--body-limit must be 0 or more");
                }
                case "--stats-only" -> statsOnly = true;
                case "-h", "--help" -> {
                    usage(out, null);
                    return 0;
                }
                default -> {
                    if (a.startsWith("--")) return usage(err, "unknown option " + a);
                    files.add(Path.of(a));
                }
            }
        }
        if (files.isEmpty()) return usage(err, "no capture files given");
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                err.println("trawl dissect: " + f + ": no such file");
                return 1;
            }
        }
        JsonMapper json = JsonMapper.builder().build();
        ObjectWriter writer = json.writer();
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        boolean print = !statsOnly;
        EntrySink sink = new EntrySink() {
            @Override
            public void accept(Entry entry) {
                if (!print) return;
                try {
                    w.write(writer.writeValueAsString(entry.columns()));
                    w.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void flush() {
                try {
                    w.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        DissectionEngine engine = DissectionEngine.builder()
                .options(DissectionOptions.defaults().withBodyLimit(bodyLimit)).build();
        try {
            DissectionStats stats = engine.dissect(node, files.stream().map(PcapSource::file).toList(), sink);
            err.println(json.writeValueAsString(stats.toMap()));
            long notCaptures = stats.damage("pcap_bad_magic");
            if (notCaptures > 0) {
                err.println("trawl dissect: " + notCaptures + " of the files given is not a pcap or pcapng capture (see errors)");
                return 1;
            }
            return 0;
        } catch (IOException | UncheckedIOException e) {
            err.println("trawl dissect: " + e.getMessage());
            return 1;
        }
    }

    private static int usage(PrintStream s, String problem) {
        if (problem != null) s.println("trawl dissect: " + problem);
        s.println("usage: trawl dissect [--node NAME] [--body-limit BYTES] [--stats-only] FILE...");
        s.println("  prints one JSON object per API call (columns of the calls table); stats go to stderr");
        return problem == null ? 0 : 2;
    }
}
