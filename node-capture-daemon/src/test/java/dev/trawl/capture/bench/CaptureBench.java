package dev.trawl.capture.bench;

import dev.trawl.capture.CaptureDaemon;
import dev.trawl.capture.Rotation;
import dev.trawl.capture.live.CapturePermission;
import dev.trawl.capture.live.LiveCapture;
import dev.trawl.core.chunk.Heartbeat;
import dev.trawl.embedded.EmbeddedS3;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Packets per second captured without drops: the daemon (libpcap through pcap4j, chunks
 * uploaded to a real S3) against tcpdump, on loopback, at rising tcpreplay rates. Each tool
 * runs alone at each rate. The frames carry an experimental EtherType (0x88b5) that the kernel
 * ignores, so nothing answers them and both tools see exactly what tcpreplay sent.
 *
 * <p>Run: {@code node-capture-daemon/bench/capture-bench.sh [seconds-per-rate] [rates...]} (root).
 */
public final class CaptureBench {
    private static final String FILTER = "ether proto 0x88b5";

    record Run(long sent, double achievedPps, long captured, long dropped) {
        boolean clean() {
            return dropped == 0 && captured >= sent;
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<Long> rates = new ArrayList<>();
        for (int i = 1; i < args.length; i++) rates.add(Long.parseLong(args[i]));
        if (rates.isEmpty()) rates = List.of(20_000L, 50_000L, 100_000L, 200_000L, 400_000L, 0L); // 0: tcpreplay's top speed
        var permission = CapturePermission.check("lo", 262_144);
        if (!permission.live()) {
            System.err.println("capture-bench needs live capture (root or CAP_NET_RAW): " + permission.reason());
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("capture-bench");
        try {
            run(dir, seconds, rates);
        } finally {
            // every chunk of every rate went to the S3 in here: hundreds of MB a run, left behind otherwise
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        System.exit(0);
    }

    private static void run(Path dir, int seconds, List<Long> rates) throws Exception {
        Path frames = dir.resolve("frames.pcap");
        writeFrames(frames, 100_000, 200);

        System.out.printf("%-10s %10s | %12s %10s %8s | %12s %10s %8s%n", "rate pps", "sent", "tcpdump pps", "captured", "dropped", "daemon pps", "captured", "dropped");
        long bestTcpdump = 0, bestDaemon = 0;
        boolean anyDrop = false;
        double fastestSend = 0;
        try (EmbeddedS3 s3proxy = EmbeddedS3.startForTest(dir.resolve("s3")); var s3 = s3proxy.client()) {
            int round = 0;
            for (long rate : rates) {
                long count = rate == 0 ? 2_000_000 : rate * seconds;
                Run tcpdump = tcpdump(dir, frames, rate, count);
                Run daemon = daemon(dir, frames, rate, count, s3, "bench-" + round++);
                System.out.printf("%-10s %10d | %12.0f %10d %8d | %12.0f %10d %8d%n", rate == 0 ? "top" : Long.toString(rate),
                        tcpdump.sent(), tcpdump.achievedPps(), tcpdump.captured(), tcpdump.dropped(),
                        daemon.achievedPps(), daemon.captured(), daemon.dropped());
                anyDrop |= !tcpdump.clean() || !daemon.clean();
                fastestSend = Math.max(fastestSend, Math.max(tcpdump.achievedPps(), daemon.achievedPps()));
                if (tcpdump.clean()) bestTcpdump = Math.max(bestTcpdump, Math.round(tcpdump.achievedPps()));
                if (daemon.clean()) bestDaemon = Math.max(bestDaemon, Math.round(daemon.achievedPps()));
            }
        }
        System.out.printf("highest rate captured without drops: daemon %d pps, tcpdump %d pps, ratio daemon/tcpdump %.2f%n",
                bestDaemon, bestTcpdump, bestTcpdump == 0 ? Double.NaN : (double) bestDaemon / bestTcpdump);
        if (!anyDrop) {
            System.out.printf("neither dropped a packet at any rate: the sender (tcpreplay, %.0f pps at most here) is the limit, not the capture%n", fastestSend);
        }
    }

    private static Run tcpdump(Path dir, Path frames, long rate, long count) throws Exception {
        Path out = dir.resolve("tcpdump.pcap");
        Process p = new ProcessBuilder("tcpdump", "-i", "lo", "-s", "262144", "-B", "65536", "-w", out.toString(), FILTER)
                .redirectErrorStream(true).start();
        var log = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line;
        while ((line = log.readLine()) != null && !line.contains("listening on")) {
            // wait until its handle is open
        }
        double pps = replay(frames, rate, count);
        Thread.sleep(1500); // past libpcap's block timeout, so the last packets are delivered
        p.toHandle().destroy(); // SIGTERM without closing our end of its output: its summary comes after
        StringBuilder rest = new StringBuilder();
        while ((line = log.readLine()) != null) rest.append(line).append('\n');
        p.waitFor(10, TimeUnit.SECONDS);
        Files.deleteIfExists(out);
        return new Run(count, pps, number(rest, "(\\d+) packets captured"), number(rest, "(\\d+) packets dropped by kernel"));
    }

    private static Run daemon(Path dir, Path frames, long rate, long count, software.amazon.awssdk.services.s3.S3Client s3, String node) throws Exception {
        Heartbeat hb;
        double pps;
        try (CaptureDaemon d = CaptureDaemon.builder().node(node).s3(s3, "trawl").spoolDir(dir.resolve("spool"))
                .source(new LiveCapture("lo", FILTER, 64 << 20)).rotation(Rotation.DEFAULT)
                .drainTimeout(Duration.ofMinutes(2)).logInterval(Duration.ofHours(1)).build()) {
            d.start();
            Thread.sleep(1000); // the handle is open
            pps = replay(frames, rate, count);
            Thread.sleep(1500); // past libpcap's block timeout, so the last packets are delivered
            d.close();
            hb = d.heartbeat(false);
        }
        return new Run(count, pps, hb.packets(), hb.kernelDrops());
    }

    /** Sends count frames at rate (0: top speed) and returns the rate tcpreplay achieved. */
    private static double replay(Path frames, long rate, long count) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tcpreplay", "-i", "lo", "--preload-pcap", "--loop=0", "--limit=" + count));
        cmd.add(rate == 0 ? "--topspeed" : "--pps=" + rate);
        cmd.add(frames.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) throw new IOException("tcpreplay failed: " + out);
        Matcher m = Pattern.compile("Rated: [\\d.]+ Bps, [\\d.]+ Mbps, ([\\d.]+) pps").matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static long number(CharSequence text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Ethernet frames the kernel ignores: zero MACs, EtherType 0x88b5 (local experimental), fixed size. */
    private static void writeFrames(Path file, int frames, int size) throws IOException {
        try (var w = new dev.trawl.core.pcap.PcapWriter(Files.newOutputStream(file), dev.trawl.core.pcap.PcapWriter.LINKTYPE_ETHERNET, true)) {
            byte[] frame = new byte[size];
            frame[12] = (byte) 0x88;
            frame[13] = (byte) 0xb5;
            long t = System.currentTimeMillis() * 1_000_000L;
            for (int i = 0; i < frames; i++) {
                frame[14] = (byte) i;
                frame[15] = (byte) (i >> 8);
                w.write(t + i * 1_000L, frame);
            }
        }
    }
}
