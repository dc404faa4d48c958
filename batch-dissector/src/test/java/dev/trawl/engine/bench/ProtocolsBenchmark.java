package dev.trawl.engine.bench;

import dev.trawl.core.pcap.PcapWriter;
import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.DissectionStats;
import dev.trawl.engine.PcapSource;
import dev.trawl.engine.TestPackets;
import dev.trawl.engine.TestPackets.Flow;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the database and messaging parsers (Redis, Kafka, PostgreSQL, MySQL, MongoDB)
 * on a generated capture of many connections, against tshark on the same file in the same run.
 * tshark dissects these protocols on their standard ports, which the capture uses; trawl finds
 * them by content. Run with the bench profile (see the pom).
 */
public final class ProtocolsBenchmark {
    private static final long T0 = 1_700_000_000_000_000_000L;

    public static void main(String[] args) throws Exception {
        int scale = Integer.parseInt(System.getProperty("bench.scale", args.length > 0 ? args[0] : "1"));
        Path dir = Path.of(System.getProperty("bench.dir", "target/bench"));
        Files.createDirectories(dir);
        Path f = dir.resolve("databases.pcap");
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(f), 1 << 20);
             PcapWriter w = new PcapWriter(os, PcapWriter.LINKTYPE_ETHERNET, false)) {
            generate(w, 100, 120 * scale);
        }
        DissectionEngine engine = DissectionEngine.standard();
        long best = Long.MAX_VALUE;
        DissectionStats stats = null;
        // five parsers' worth of code to compile on one core: the first runs only warm the JIT up
        for (int i = 0; i < 8; i++) {
            long t0 = System.nanoTime();
            stats = engine.dissect("bench", List.of(PcapSource.file(f)), e -> { });
            long t = System.nanoTime() - t0;
            if (i >= 3) {
                best = Math.min(best, t);
            }
        }
        long tshark = tshark(f);
        double size = Files.size(f) / 1e6;
        double pps = stats.packets() / (best / 1e9);
        double tpps = tshark > 0 ? stats.packets() / (tshark / 1e9) : Double.NaN;
        System.out.printf("%-16s %10s %9s %9s %12s %9s %12s %9s %7s%n",
                "capture", "packets", "MB", "entries", "trawl pk/s", "MB/s", "tshark pk/s", "MB/s", "ratio");
        System.out.printf(Locale.ROOT, "%-16s %10d %9.1f %9d %12.0f %9.1f %12.0f %9.1f %6.1fx%n", f.getFileName(),
                stats.packets(), size, stats.entries(), pps, size / (best / 1e9), tpps, size / (tshark / 1e9), pps / tpps);
        System.out.println("entries by protocol: " + stats.entriesByProtocol());
    }

    private static long tshark(Path f) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("tshark", "-n", "-r", f.toString(), "-T", "fields", "-e", "frame.number",
                "-e", "resp.bulk_string.value", "-e", "kafka.api_key", "-e", "pgsql.query", "-e", "mysql.query",
                "-e", "mongo.opcode").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return -1;
        }
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return System.nanoTime() - t0;
    }

    /** {@code connections} per protocol, each asking and answering {@code rounds} times. */
    private static void generate(PcapWriter out, int connections, int rounds) throws IOException {
        int[] ports = {6379, 9092, 5432, 3306, 27017};
        Flow[][] flows = new Flow[ports.length][connections];
        for (int p = 0; p < ports.length; p++) {
            for (int c = 0; c < connections; c++) {
                flows[p][c] = new Flow(out, TestPackets.ip(10, 10 + p, c >> 8, c & 255), 30000 + c,
                        TestPackets.ip(10, 200, p, 1), ports[p], c * 7919 + p, c * 104729 + p);
                flows[p][c].handshake(T0 + (p * connections + c) * 1000L);
            }
        }
        long ts = T0 + 1_000_000_000L;
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < connections; c++) {
                ts += 10_000;
                String key = "user:" + (r * connections + c);
                flows[0][c].send(true, ascii("*2\r\n$3\r\nGET\r\n$" + key.length() + "\r\n" + key + "\r\n"), ts);
                flows[0][c].send(false, ascii("$64\r\n" + "x".repeat(64) + "\r\n"), ts + 200_000);
                flows[1][c].send(true, kafkaMetadata(r + 1, "orders"), ts + 1000);
                flows[1][c].send(false, kafkaResponse(r + 1), ts + 201_000);
                flows[2][c].send(true, pg('Q', "SELECT name, price FROM items WHERE id = " + r + "\0"), ts + 2000);
                flows[2][c].send(false, concat(pg('D', "\0\2\0\0\0\3abc\0\0\0\0024.5"), pg('C', "SELECT 1\0"),
                        pg('Z', "I")), ts + 202_000);
                flows[3][c].send(true, mysqlQuery("UPDATE stock SET n = n - 1 WHERE id = " + r), ts + 3000);
                flows[3][c].send(false, new byte[] {7, 0, 0, 1, 0, 1, 0, 2, 0, 0, 0}, ts + 203_000);
                flows[4][c].send(true, mongo(r * 2 + 1, 0, "find", "items"), ts + 4000);
                flows[4][c].send(false, mongo(r * 2 + 2, r * 2 + 1, "ok", null), ts + 204_000);
            }
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    private static byte[] kafkaMetadata(int correlation, String topic) {
        ByteBuffer b = ByteBuffer.allocate(4 + 2 + 2 + 4 + 2 + 5 + 4 + 2 + topic.length());
        b.putInt(b.capacity() - 4).putShort((short) 3).putShort((short) 1).putInt(correlation)
                .putShort((short) 5).put(ascii("bench")).putInt(1).putShort((short) topic.length()).put(ascii(topic));
        return b.array();
    }

    private static byte[] kafkaResponse(int correlation) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 + 4 + 4 + 4);
        b.putInt(16).putInt(correlation).putInt(0).putInt(-1).putInt(0);
        return b.array();
    }

    private static byte[] pg(char type, String body) {
        byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(5 + b.length).put((byte) type).putInt(4 + b.length).put(b).array();
    }

    private static byte[] mysqlQuery(String sql) {
        byte[] q = ascii(sql);
        ByteBuffer b = ByteBuffer.allocate(5 + q.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) (q.length + 1)).put((byte) ((q.length + 1) >> 8)).put((byte) 0).put((byte) 0).put((byte) 3).put(q);
        return b.array();
    }

    /** An OP_MSG whose body is {key: value} (or {ok: 1.0} when value is null). */
    private static byte[] mongo(int id, int responseTo, String key, String value) {
        ByteBuffer doc = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        doc.putInt(0);
        if (value != null) {
            doc.put((byte) 2).put(ascii(key)).put((byte) 0).putInt(value.length() + 1).put(ascii(value)).put((byte) 0);
            doc.put((byte) 2).put(ascii("$db")).put((byte) 0).putInt(5).put(ascii("shop")).put((byte) 0);
        } else {
            doc.put((byte) 1).put(ascii(key)).put((byte) 0).putDouble(1.0);
        }
        doc.put((byte) 0);
        int docLength = doc.position();
        doc.putInt(0, docLength);
        ByteBuffer m = ByteBuffer.allocate(16 + 4 + 1 + docLength).order(ByteOrder.LITTLE_ENDIAN);
        m.putInt(m.capacity()).putInt(id).putInt(responseTo).putInt(2013).putInt(0).put((byte) 0)
                .put(doc.array(), 0, docLength);
        return m.array();
    }
}
