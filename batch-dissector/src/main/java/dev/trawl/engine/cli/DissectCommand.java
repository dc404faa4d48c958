package dev.trawl.engine.cli;

import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.DissectionOptions;
import dev.trawl.engine.DissectionStats;
import dev.trawl.engine.Entry;
import dev.trawl.engine.EntrySink;
import dev.trawl.engine.PcapSource;
import dev.trawl.engine.Redaction;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code trawl dissect [--node NAME] [--body-limit BYTES] [--stats-only] [--no-redact] [--jobs N | --parallel] FILE...}:
 * dissects the captures in order (as one node's consecutive chunks, or with {@code --jobs} each
 * file apart, several at once) and prints one JSON object per entry on
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
        boolean redact = true;
        int jobs = 1;
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
                case "--no-redact" -> redact = false;
                case "--parallel" -> jobs = Runtime.getRuntime().availableProcessors();
                case "--jobs", "-j" -> {
                    if (++i >= args.length) return usage(err, a + " needs a number");
                    try {
                        jobs = Integer.parseInt(args[i]);
                    } catch (NumberFormatException e) {
                        return usage(err, a + " takes a number of files dissected at once, not '" + args[i] + "'");
                    }
                    if (jobs < 1) return usage(err, a + " must be 1 or more");
                }
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
        DissectionOptions options = DissectionOptions.defaults().withBodyLimit(bodyLimit);
        int sessions = Math.min(jobs, files.size());
        if (sessions > 1) {
            // sessions side by side share the one buffer budget, so memory stays what one session's is
            options = options.withBuffers(options.maxBufferPerConnection(), options.maxBufferTotal() / sessions);
        }
        DissectionEngine engine = DissectionEngine.builder().options(options)
                .redaction(redact ? Redaction.fromSettings(System::getenv) : Redaction.none()).build();
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        try {
            DissectionStats stats = sessions > 1
                    ? eachFileApart(engine, node, files, sessions, statsOnly, json, w)
                    : engine.dissect(node, files.stream().map(PcapSource::file).toList(), jsonLines(json, statsOnly ? null : w));
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

    /** Writes each entry as one JSON line to {@code w}; with no writer, entries are only counted. */
    private static EntrySink jsonLines(JsonMapper json, Writer w) {
        ObjectWriter writer = json.writer();
        return new EntrySink() {
            @Override
            public void accept(Entry entry) {
                if (w == null) return;
                try {
                    w.write(writer.writeValueAsString(entry.columns()));
                    w.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public void flush() {
                if (w == null) return;
                try {
                    w.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /**
     * {@code --jobs N}: each file is its own capture, dissected by its own engine session, N at a
     * time. Each session writes to an owner-only spool file and the spools are printed in the
     * order the files were given, so the output is what one session per file in turn would print.
     */
    private static DissectionStats eachFileApart(DissectionEngine engine, String node, List<Path> files, int sessions,
            boolean statsOnly, JsonMapper json, Writer out) throws IOException {
        Path spool = statsOnly ? null : Files.createTempDirectory("trawl-dissect-");
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            List<Future<DissectionStats>> running = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                Path part = spool == null ? null : spool.resolve(i + ".jsonl");
                running.add(pool.submit(() -> {
                    if (part == null) return engine.dissect(node, List.of(PcapSource.file(file)), jsonLines(json, null));
                    try (Writer w = Files.newBufferedWriter(part, StandardCharsets.UTF_8)) {
                        return engine.dissect(node, List.of(PcapSource.file(file)), jsonLines(json, w));
                    }
                }));
            }
            DissectionStats total = null;
            for (int i = 0; i < running.size(); i++) {
                DissectionStats s = await(running.get(i));
                total = total == null ? s : total.plus(s);
                if (spool != null) {
                    Path part = spool.resolve(i + ".jsonl");
                    try (var in = Files.newBufferedReader(part, StandardCharsets.UTF_8)) {
                        in.transferTo(out);
                    }
                    Files.delete(part);
                }
            }
            out.flush();
            return total;
        } finally {
            pool.shutdownNow();
            if (spool != null) {
                try (var left = Files.list(spool)) {
                    for (Path p : left.toList()) Files.deleteIfExists(p);
                }
                Files.deleteIfExists(spool);
            }
        }
    }

    private static DissectionStats await(Future<DissectionStats> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IOException(e.getCause());
        }
    }

    private static int usage(PrintStream s, String problem) {
        if (problem != null) s.println("trawl dissect: " + problem);
        s.println("usage: trawl dissect [--node NAME] [--body-limit BYTES] [--stats-only] [--no-redact] [--jobs N | --parallel] FILE...");
        s.println("  prints one JSON object per API call (columns of the calls table); stats go to stderr");
        s.println("  secrets (credential headers, password and token fields, Redis AUTH) are redacted unless");
        s.println("  --no-redact is given or TRAWL_REDACT=false");
        s.println("  files are one node's consecutive chunks; with --jobs N (--parallel: every core) each file is");
        s.println("  its own capture, N dissected at once, printed in the order given");
        return problem == null ? 0 : 2;
    }
}
