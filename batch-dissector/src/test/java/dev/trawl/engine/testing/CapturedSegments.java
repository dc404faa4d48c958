package dev.trawl.engine.testing;

import dev.trawl.engine.DecodingParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;

/**
 * The TCP payloads of a real capture, segment by segment, as tshark sees them: unit tests of
 * the decoders feed them in capture order, without the engine's reassembly. Captures are
 * read from the shared set ({@code TRAWL_SHARED_DIR}, else {@code ../shared} of the project).
 */
public final class CapturedSegments {
    /** One TCP segment's payload; {@code fromClient} when it went to {@code serverPort}. */
    public record Segment(int stream, boolean fromClient, byte[] payload, long micros) {}

    private CapturedSegments() {}

    public static Path shared(String relative) {
        String dir = System.getenv("TRAWL_SHARED_DIR");
        Path base = dir != null ? Path.of(dir) : Path.of("..", "shared");
        if (!Files.isDirectory(base)) {
            base = Path.of("..", "..", "shared");
        }
        Path file = base.resolve("pcaps").resolve(relative);
        Assumptions.assumeTrue(Files.isRegularFile(file), "shared capture missing: " + relative);
        return file;
    }

    public static List<Segment> read(String capture, int serverPort) {
        Path file = shared(capture);
        List<String> lines = tshark(file.toString(), "-T", "fields", "-e", "frame.time_epoch",
                "-e", "tcp.dstport", "-e", "tcp.payload", "-e", "tcp.stream", "-Y", "tcp.len > 0");
        List<Segment> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split("\t", -1);
            if (f.length < 4 || f[2].isEmpty()) {
                continue;
            }
            long micros = Math.round(Double.parseDouble(f[0]) * 1_000_000);
            out.add(new Segment(Integer.parseInt(f[3]), Integer.parseInt(f[1]) == serverPort,
                    HexFormat.of().parseHex(f[2]), micros));
        }
        return out;
    }

    public static List<String> tshark(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("tshark");
        cmd.add("-r");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
            p.waitFor(60, TimeUnit.SECONDS);
            return lines;
        } catch (IOException e) {
            Assumptions.abort("tshark not available: " + e.getMessage());
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What a decoder under test is: fed ordered bytes per direction, leaving incomplete ones. */
    public interface Decoder {
        void onData(boolean fromClient, ByteBuffer in, long micros);
    }

    /**
     * Feeds the segments to a decoder the way a reassembler would: per direction, the bytes it
     * left unconsumed come back in front of the next segment, dated by the segment they came in.
     */
    public static void feed(List<Segment> segments, Decoder decoder) {
        ByteBuffer[] pending = {ByteBuffer.allocate(0), ByteBuffer.allocate(0)};
        long[] pendingMicros = new long[2];
        for (Segment s : segments) {
            int d = s.fromClient() ? 0 : 1;
            ByteBuffer left = pending[d];
            int held = left.remaining();
            ByteBuffer in = ByteBuffer.allocate(held + s.payload().length);
            in.put(left).put(s.payload()).flip();
            decoder.onData(s.fromClient(), in, held > 0 ? pendingMicros[d] : s.micros());
            if (in.position() >= held) pendingMicros[d] = s.micros(); // what is left came with this segment
            pending[d] = in.slice();
        }
    }

    /** The segments of each TCP connection, in the order the connections began. */
    public static java.util.Collection<List<Segment>> byConnection(List<Segment> segments) {
        java.util.Map<Integer, List<Segment>> out = new java.util.TreeMap<>();
        for (Segment s : segments) {
            out.computeIfAbsent(s.stream(), k -> new ArrayList<>()).add(s);
        }
        return out.values();
    }

    /** Feeds every segment one byte at a time: decoders must not depend on packet boundaries. */
    public static void feedByteByByte(List<Segment> segments, Decoder decoder) {
        List<Segment> bytes = new ArrayList<>();
        for (Segment s : segments) {
            for (byte b : s.payload()) {
                bytes.add(new Segment(s.stream(), s.fromClient(), new byte[] {b}, s.micros()));
            }
        }
        feed(bytes, decoder);
    }

    /**
     * Decodes each TCP connection of a capture with its own decoder, fed whole segments or one
     * byte at a time, then closes it and hands it to {@code closed} for the test's checks.
     */
    public static <D extends DecodingParser.Decoder> void decodeEach(String capture, int serverPort, boolean byteByByte,
            Function<List<Segment>, D> decoderFor, Consumer<D> closed) {
        for (List<Segment> connection : byConnection(read(capture, serverPort))) {
            D decoder = decoderFor.apply(connection);
            if (byteByByte) {
                feedByteByByte(connection, decoder::onData);
            } else {
                feed(connection, decoder::onData);
            }
            decoder.close();
            closed.accept(decoder);
        }
    }
}
