package dev.trawl.engine.bench;

import dev.trawl.core.pcap.PcapWriter;
import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.DissectionStats;
import dev.trawl.engine.EntrySink;
import dev.trawl.engine.PcapSource;
import dev.trawl.engine.TestPackets;
import dev.trawl.engine.TestPackets.Flow;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Dissection throughput on generated captures, against tshark on the same files in the same
 * run. Run with: {@code ./mvnw -B -q -pl batch-dissector -am -Pbench -DskipTests verify}
 * (optional {@code -Dbench.scale=N}). The JVM runs with one active processor and the serial
 * collector, so the engine's figures are one core's.
 *
 * <p>Captures (written to target/bench, never committed): http-small (keep-alive requests with
 * small JSON bodies over 1000 interleaved connections), http-large (128 KiB bodies, half of them
 * chunked), dns (queries and responses from many clients), mix (HTTP, DNS, TLS handshakes and
 * unrecognised TCP). Memory: the live heap after collections is sampled while the mix capture
 * is dissected at 1x and 4x its size.
 */
public final class DissectBenchmark {
    private static final String[] TSHARK = {"tshark", "-n", "-r", null, "-T", "fields", "-e", "frame.number",
            "-e", "http.request.method", "-e", "http.response.code", "-e", "dns.qry.name", "-e", "tls.handshake.extensions_server_name"};

    public static void main(String[] args) throws Exception {
        int scale = Integer.parseInt(System.getProperty("bench.scale", args.length > 0 ? args[0] : "1"));
        Path dir = Path.of(System.getProperty("bench.dir", "target/bench"));
        Files.createDirectories(dir);
        System.out.printf("trawl dissection benchmark: scale %d, %d processor(s) visible to the JVM, max heap %d MB%n",
                scale, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);

        List<Path> files = List.of(
                generate(dir.resolve("http-small.pcap"), out -> httpSmall(out, 1000, 150 * scale)),
                generate(dir.resolve("http-large.pcap"), out -> httpLarge(out, 200, 8 * scale)),
                generate(dir.resolve("dns.pcap"), out -> dns(out, 300_000 * scale)),
                generate(dir.resolve("mix.pcap"), out -> mix(out, 1, scale)));

        DissectionEngine engine = DissectionEngine.standard();
        System.out.printf("%-16s %10s %9s %9s %12s %9s %12s %9s %7s%n",
                "capture", "packets", "MB", "entries", "trawl pk/s", "MB/s", "tshark pk/s", "MB/s", "ratio");
        for (Path f : files) {
            long size = Files.size(f);
            Run best = null;
            for (int i = 0; i < 4; i++) { // the first run warms the JIT up
                Run r = run(engine, f);
                if (i > 0 && (best == null || r.nanos < best.nanos)) best = r;
            }
            long tsharkNanos = tshark(f);
            double pps = best.stats.packets() / (best.nanos / 1e9);
            double mbps = size / 1e6 / (best.nanos / 1e9);
            double tpps = tsharkNanos > 0 ? best.stats.packets() / (tsharkNanos / 1e9) : Double.NaN;
            double tmbps = tsharkNanos > 0 ? size / 1e6 / (tsharkNanos / 1e9) : Double.NaN;
            System.out.printf(Locale.ROOT, "%-16s %10d %9.1f %9d %12.0f %9.1f %12.0f %9.1f %6.1fx%n",
                    f.getFileName(), best.stats.packets(), size / 1e6, best.stats.entries(), pps, mbps, tpps, tmbps, pps / tpps);
        }

        System.out.println();
        System.out.println("memory while dissecting the mix capture (live heap after collections, peak):");
        for (int factor : new int[] {1, 4}) {
            Path f = factor == 1 ? dir.resolve("mix.pcap") : generate(dir.resolve("mix-x" + factor + ".pcap"), out -> mix(out, factor, scale));
            System.gc();
            HeapSampler sampler = new HeapSampler();
            sampler.start();
            Run r = run(engine, f);
            sampler.stop = true;
            sampler.join();
            System.out.printf(Locale.ROOT, "  mix x%d: %,d packets, %.0f MB, live heap peak %.1f MB%n",
                    factor, r.stats.packets(), Files.size(f) / 1e6, sampler.peak / 1e6);
        }
    }

    record Run(long nanos, DissectionStats stats) {}

    private static Run run(DissectionEngine engine, Path f) throws IOException {
        long[] entries = new long[1];
        EntrySink sink = e -> entries[0] += e.id().length(); // consume each entry so that none is optimised away
        long t0 = System.nanoTime();
        DissectionStats s = engine.dissect("bench", List.of(PcapSource.file(f)), sink);
        return new Run(System.nanoTime() - t0, s);
    }

    private static long tshark(Path f) throws IOException, InterruptedException {
        String[] cmd = TSHARK.clone();
        cmd[3] = f.toString();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            System.out.println("  (tshark not found: no comparison)");
            return -1;
        }
        if (!p.waitFor(30, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return -1;
        }
        return System.nanoTime() - t0;
    }

    /** Samples the heap pools' usage after their last collection: the live set, not garbage. */
    private static final class HeapSampler extends Thread {
        volatile boolean stop;
        long peak;

        HeapSampler() {
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!stop) {
                long live = 0;
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) live += pool.getCollectionUsage().getUsed();
                }
                peak = Math.max(peak, live);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------ generators

    interface Generator {
        void write(PcapWriter out) throws IOException;
    }

    private static Path generate(Path f, Generator g) throws IOException {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(f), 1 << 20);
             PcapWriter w = new PcapWriter(os, PcapWriter.LINKTYPE_ETHERNET, false)) {
            g.write(w);
        }
        return f;
    }

    private static final long T0 = 1_700_000_000_000_000_000L;

    private static void httpSmall(PcapWriter out, int connections, int rounds) throws IOException {
        Flow[] flows = openFlows(out, connections, 8080, 0);
        long ts = T0 + 1_000_000_000L;
        Random rnd = new Random(1);
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < connections; c++) {
                ts += 20_000;
                exchange(flows[c], ts, "GET /api/v1/items/" + rnd.nextInt(100000) + "?page=" + r + " HTTP/1.1\r\nHost: catalog.shop.svc\r\n"
                        + "User-Agent: bench/1.0\r\nAccept: application/json\r\n\r\n", json(rnd, 200), false);
            }
        }
    }

    private static void httpLarge(PcapWriter out, int connections, int rounds) throws IOException {
        Flow[] flows = openFlows(out, connections, 8081, 1);
        long ts = T0 + 1_000_000_000L;
        Random rnd = new Random(2);
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < connections; c++) {
                ts += 2_000_000;
                String body = json(rnd, 128 * 1024);
                exchange(flows[c], ts, "GET /reports/" + r + "/" + c + " HTTP/1.1\r\nHost: reports.svc\r\n\r\n", body, (r + c) % 2 == 0);
            }
        }
    }

    private static Flow[] openFlows(PcapWriter out, int n, int port, int net) throws IOException {
        Flow[] flows = new Flow[n];
        for (int c = 0; c < n; c++) {
            flows[c] = new Flow(out, TestPackets.ip(10, net, c >> 8, c & 255), 30000 + c, TestPackets.ip(10, 100 + net, 0, 1 + c % 50),
                    port, c * 7919, c * 104729);
            flows[c].handshake(T0 + c * 1000L);
        }
        return flows;
    }

    private static void exchange(Flow f, long ts, String request, String body, boolean chunked) throws IOException {
        f.send(true, TestPackets.ascii(request), ts);
        String head;
        byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
        if (chunked) {
            StringBuilder sb = new StringBuilder();
            for (int off = 0; off < bodyBytes.length; off += 16384) {
                int len = Math.min(16384, bodyBytes.length - off);
                sb.append(Integer.toHexString(len)).append("\r\n").append(body, off, off + len).append("\r\n");
            }
            sb.append("0\r\n\r\n");
            head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + sb;
        } else {
            head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + bodyBytes.length + "\r\n\r\n" + body;
        }
        f.send(false, head.getBytes(StandardCharsets.UTF_8), ts + 300_000);
    }

    private static String json(Random rnd, int size) {
        StringBuilder sb = new StringBuilder(size + 32).append("{\"items\":[");
        while (sb.length() < size - 40) sb.append("{\"id\":").append(rnd.nextInt(1_000_000)).append(",\"name\":\"item\"},");
        sb.setLength(sb.length() - 1);
        sb.append("]}");
        while (sb.length() < size) sb.append(' ');
        return sb.toString();
    }

    private static void dns(PcapWriter out, int queries) throws IOException {
        Random rnd = new Random(3);
        long ts = T0;
        int server = TestPackets.ip(10, 96, 0, 10);
        for (int i = 0; i < queries; i++) {
            int client = TestPackets.ip(10, 1, (i >> 8) & 255, i & 255);
            int port = 10000 + (i % 50000);
            String name = "svc-" + rnd.nextInt(5000) + ".ns-" + rnd.nextInt(50) + ".svc.cluster.local";
            ts += 10_000;
            out.write(ts, TestPackets.udp(client, port, server, 53, dnsMessage(i & 0xFFFF, name, false)));
            out.write(ts + 150_000, TestPackets.udp(server, 53, client, port, dnsMessage(i & 0xFFFF, name, true)));
        }
    }

    static byte[] dnsMessage(int id, String name, boolean response) {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.putShort((short) id).putShort((short) (response ? 0x8180 : 0x0100)).putShort((short) 1).putShort((short) (response ? 1 : 0))
                .putShort((short) 0).putShort((short) 0);
        for (String label : name.split("\\.")) {
            b.put((byte) label.length()).put(label.getBytes(StandardCharsets.US_ASCII));
        }
        b.put((byte) 0).putShort((short) 1).putShort((short) 1);
        if (response) {
            b.putShort((short) 0xC00C).putShort((short) 1).putShort((short) 1).putInt(30).putShort((short) 4)
                    .put(new byte[] {10, 96, (byte) (id >> 8), (byte) id});
        }
        byte[] out = new byte[b.position()];
        b.get(0, out);
        return out;
    }

    private static void mix(PcapWriter out, int factor, int scale) throws IOException {
        Random rnd = new Random(4);
        int connections = 500;
        Flow[] http = openFlows(out, connections, 80, 2);
        Flow[] junk = openFlows(out, 50, 9999, 3);
        long ts = T0 + 1_000_000_000L;
        int server = TestPackets.ip(10, 96, 0, 10);
        int rounds = 100 * factor * scale;
        int tlsPort = 40000;
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < connections; c++) {
                ts += 20_000;
                exchange(http[c], ts, "POST /orders HTTP/1.1\r\nHost: orders.svc\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n"
                        + json(rnd, 60), json(rnd, 300), false);
                if (c % 5 == 0) {
                    int client = TestPackets.ip(10, 2, (c >> 8) & 255, c & 255);
                    String name = "api-" + rnd.nextInt(100) + ".example.com";
                    out.write(ts + 1000, TestPackets.udp(client, 20000 + c, server, 53, dnsMessage(r & 0xFFFF, name, false)));
                    out.write(ts + 90_000, TestPackets.udp(server, 53, client, 20000 + c, dnsMessage(r & 0xFFFF, name, true)));
                }
                if (c % 25 == 0) {
                    // a short TLS connection: handshake, ClientHello, ServerHello, close
                    Flow t = new Flow(out, TestPackets.ip(10, 4, 0, c & 255), tlsPort++ & 0xFFFF | 1024, TestPackets.ip(10, 104, 0, 1), 443, r, c);
                    t.handshake(ts + 2000);
                    t.send(true, clientHello("api-" + (c % 7) + ".example.com"), ts + 5000);
                    t.send(false, serverHello(), ts + 8000);
                    t.fin(ts + 9000);
                }
                if (c % 10 == 0) {
                    byte[] noise = new byte[700];
                    rnd.nextBytes(noise);
                    junk[c % 50].send(true, noise, ts + 3000);
                }
            }
        }
    }

    static byte[] clientHello(String sni) {
        ByteBuffer hs = ByteBuffer.allocate(512);
        hs.putShort((short) 0x0303).put(new byte[32]).put((byte) 0).putShort((short) 4).putShort((short) 0x1301).putShort((short) 0x1302)
                .put((byte) 1).put((byte) 0);
        byte[] name = sni.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer ext = ByteBuffer.allocate(256);
        ext.putShort((short) 0).putShort((short) (name.length + 5)).putShort((short) (name.length + 3)).put((byte) 0)
                .putShort((short) name.length).put(name);
        ext.putShort((short) 16).putShort((short) 14).putShort((short) 12).put((byte) 2).put("h2".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 8).put("http/1.1".getBytes(StandardCharsets.US_ASCII));
        hs.putShort((short) ext.position()).put(ext.array(), 0, ext.position());
        return record(1, hs);
    }

    static byte[] serverHello() {
        ByteBuffer hs = ByteBuffer.allocate(128);
        hs.putShort((short) 0x0303).put(new byte[32]).put((byte) 0).putShort((short) 0x1301).put((byte) 0).putShort((short) 0);
        return record(2, hs);
    }

    private static byte[] record(int type, ByteBuffer body) {
        int len = body.position();
        ByteBuffer r = ByteBuffer.allocate(9 + len);
        r.put((byte) 22).putShort((short) 0x0301).putShort((short) (4 + len)).put((byte) type).put((byte) 0).putShort((short) len)
                .put(body.array(), 0, len);
        return r.array();
    }

}
