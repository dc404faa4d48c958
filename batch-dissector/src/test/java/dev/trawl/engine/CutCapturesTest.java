package dev.trawl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.engine.testing.CapturedSegments;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shared capture whose connections start with their handshakes, cut so that each
 * connection's first packets are gone (its TCP handshake and its first data segments, where
 * the protocol's own handshake is), as a snapshot cuts long-lived connections: the engine,
 * detecting by content, finds at least 90% of the requests tshark finds in the same cut file
 * when told the protocol and the server's port (decode-as).
 */
class CutCapturesTest {
    /** Data segments of each connection removed, with everything before them: short and long handshakes. */
    private static final int[] CUTS = {3, 7};
    private static final double AT_LEAST = 0.9;

    /** A protocol's requests as tshark counts them (fields of the frames to the server) and as the engine does. */
    private record Protocol(String tshark, String[] fields, ToIntFunction<String[]> requests, Set<String> engine,
                            Predicate<Entry> request) {}

    private static final List<Protocol> PROTOCOLS = List.of(
            new Protocol("mysql", new String[] {"mysql.command"}, f -> values(f[0]).size(), Set.of("mysql"),
                    e -> !e.method().equals("HANDSHAKE")),
            new Protocol("pgsql", new String[] {"pgsql.type"},
                    f -> (int) values(f[0]).stream().filter(t -> t.equals("Simple query") || t.equals("Execute")).count(),
                    Set.of("postgresql"), e -> Set.of("QUERY", "EXECUTE").contains(e.fields().get("pg_kind"))),
            // methods a side asks or announces (even ids); the odd ones and basic.get-empty answer them
            new Protocol("amqp", new String[] {"amqp.method.class", "amqp.method.method"}, CutCapturesTest::amqpRequests,
                    Set.of("amqp"), e -> true),
            // a command seen (the decoder gives replies to commands before the cut an empty one)
            new Protocol("resp", new String[] {"resp.array.length"}, f -> values(f[0]).size(), Set.of("redis"),
                    e -> !e.method().isEmpty()),
            new Protocol("mongo", new String[] {"mongo.opcode"}, f -> values(f[0]).size(), Set.of("mongodb"),
                    CutCapturesTest::requestSeen),
            // a request's HEADERS frame; after the cut its header block may name entries of an HPACK table never seen
            new Protocol("http2", new String[] {"http2.type"}, f -> (int) values(f[0]).stream().filter("1"::equals).count(),
                    Set.of("http2", "grpc"), CutCapturesTest::requestSeen));

    /** Protocols whose shared captures hold nothing once cut, with the reason. */
    private static final Map<String, String> NOTHING_LEFT = Map.of(
            "mongo", "every shared MongoDB connection carries one message; MidStreamDetectionTest covers MongoDB");

    /** Captures whose protocol tshark names only when told to, where the engine rightly sees another. */
    private static final Map<String, String> EXCLUDED = Map.of(
            "zeek/oss-fuzz-473580107.pcap", "fuzzed bytes on port 80: RESP for tshark only by decode-as, HTTP for the engine");

    @TempDir
    Path dir;

    @Test
    void connectionsCutInTheMiddleAreFoundByContent() throws IOException {
        Map<String, long[]> totals = new TreeMap<>();  // "protocol cut" -> {engine, tshark}
        List<String> table = new ArrayList<>();
        for (SharedCaptures.Capture c : SharedCaptures.all()) {
            for (Protocol protocol : PROTOCOLS) {
                if (!names(c.protocols()).contains(protocol.tshark()) && !(protocol.tshark().equals("http2")
                        && names(c.protocols()).contains("grpc")) || EXCLUDED.containsKey(c.file())) {
                    continue;
                }
                Connections connections = connections(c.path());
                if (connections.serverPorts.isEmpty()) {
                    continue;  // no handshake captured: nothing to cut
                }
                for (int cut : CUTS) {
                    Path file = dir.resolve(c.file().replace('/', '_') + "-cut" + cut + ".pcap");
                    editcap(c.path(), file, connections.before(cut));
                    int tshark = tsharkRequests(file, protocol, connections.serverPorts);
                    int engine = engineRequests(file, protocol);
                    table.add(String.format("%-55s %-6s cut %d: engine %4d, tshark %4d", c.file(), protocol.tshark(), cut, engine, tshark));
                    long[] t = totals.computeIfAbsent(protocol.tshark() + " cut " + cut, k -> new long[2]);
                    t[0] += engine;
                    t[1] += tshark;
                }
            }
        }
        System.out.println(String.join("\n", table));
        totals.forEach((k, t) -> System.out.printf("%-16s engine %5d, tshark %5d%n", k, t[0], t[1]));
        for (Protocol protocol : PROTOCOLS) {
            for (int cut : CUTS) {
                long[] t = totals.get(protocol.tshark() + " cut " + cut);
                assertThat(t).as("captures of %s with handshakes", protocol.tshark()).isNotNull();
                if (NOTHING_LEFT.containsKey(protocol.tshark())) {
                    assertThat(t[1]).as(NOTHING_LEFT.get(protocol.tshark())).isZero();
                    continue;
                }
                assertThat(t[1]).as("tshark's %s requests after cutting %d segments", protocol.tshark(), cut).isPositive();
                assertThat((double) t[0]).as("engine's %s requests after cutting %d segments (tshark %d)", protocol.tshark(), cut, t[1])
                        .isGreaterThanOrEqualTo(AT_LEAST * t[1]);
            }
        }
    }

    /**
     * A pooled MySQL connection made here, on an unusual port, whose first commands after the
     * handshake are COM_PINGs and then queries (as mysqladmin sends them on one connection):
     * captured with tcpdump, cut after the handshake, counted against tshark with decode-as.
     */
    @Test
    void aMySqlPoolOnAnUnusualPortCapturedHere() throws Exception {
        for (String tool : List.of("mariadbd", "mariadb-install-db", "mysqladmin", "tcpdump", "editcap")) {
            Assumptions.assumeTrue(onPath(tool), tool + " is not installed (.ci/run installs mariadb-server and tcpdump)");
        }
        Path data = dir.resolve("mariadb");
        run(List.of("mariadb-install-db", "--no-defaults", "--datadir=" + data, "--user=root", "--skip-test-db"));
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        List<String> admin = List.of("mysqladmin", "--no-defaults", "-h127.0.0.1", "-P" + port, "-uroot");
        Process server = new ProcessBuilder("mariadbd", "--no-defaults", "--datadir=" + data, "--port=" + port,
                "--bind-address=127.0.0.1", "--socket=" + data.resolve("sock"), "--pid-file=" + data.resolve("pid"),
                "--user=root", "--skip-grant-tables", "--skip-log-bin", "--innodb-buffer-pool-size=8M",
                "--log-error=" + data.resolve("error.log"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Process tcpdump = null;
        Path capture = dir.resolve("mysql-pool.pcap");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!succeeds(concat(admin, "ping"))) {
                assertThat(System.nanoTime()).as("MariaDB answering on port %d", port).isLessThan(deadline);
                Thread.sleep(500);
            }
            tcpdump = new ProcessBuilder("tcpdump", "-i", "lo", "--immediate-mode", "-U", "-w", capture.toString(), "tcp port " + port)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader said = new BufferedReader(new InputStreamReader(tcpdump.getErrorStream(), StandardCharsets.UTF_8));
            String line = said.readLine();
            Assumptions.assumeTrue(line != null && line.contains("listening"), "tcpdump cannot capture here: " + line);
            run(concat(admin, "ping", "ping", "ping", "ping", "ping", "processlist", "variables", "extended-status", "processlist"));
            // the last packet (the server's FIN) written before tcpdump stops
            long written = -1;
            while (written != Files.size(capture) || written <= 24) {
                written = Files.size(capture);
                assertThat(System.nanoTime()).as("tcpdump writing the capture").isLessThan(deadline + TimeUnit.SECONDS.toNanos(60));
                Thread.sleep(1000);
            }
        } finally {
            if (tcpdump != null) {
                tcpdump.destroy();
                tcpdump.waitFor(60, TimeUnit.SECONDS);
            }
            server.destroy();
            server.waitFor(60, TimeUnit.SECONDS);
        }
        Connections connections = connections(capture);
        assertThat(connections.serverPorts()).containsExactly(port);
        Path cut = dir.resolve("mysql-pool-cut.pcap");
        editcap(capture, cut, connections.before(3));  // the greeting, the login and its OK
        Protocol mysql = PROTOCOLS.getFirst();
        int tshark = tsharkRequests(cut, mysql, connections.serverPorts());
        List<Entry> entries = new ArrayList<>();
        DissectionEngine.standard().dissect("here", List.of(PcapSource.file(cut)), entries::add);
        List<Entry> commands = entries.stream().filter(e -> e.protocol().equals("mysql")).toList();
        System.out.printf("mysql pool on port %d, cut after its handshake: engine %d, tshark %d%n", port, commands.size(), tshark);
        assertThat(tshark).as("tshark's commands (5 pings, 4 queries and the quit)").isGreaterThanOrEqualTo(9);
        assertThat((double) commands.size()).isGreaterThanOrEqualTo(AT_LEAST * tshark);
        assertThat(commands).extracting(Entry::method).startsWith("PING", "PING", "PING", "PING", "PING");
        assertThat(commands).allSatisfy(e -> assertThat(e.dstPort()).isEqualTo(port));
    }

    private static boolean onPath(String tool) {
        return succeeds(List.of("sh", "-c", "command -v " + tool));
    }

    private static boolean succeeds(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void run(List<String> command) {
        assertThat(succeeds(command)).as("%s succeeded", command).isTrue();
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    /** The TCP frames of each connection, in order, and the ports its SYNs went to. */
    private record Connections(Map<Integer, List<int[]>> frames, Set<Integer> serverPorts) {
        /** The frames of every connection before its ({@code cut}+1)th data segment. */
        List<Integer> before(int cut) {
            List<Integer> out = new ArrayList<>();
            for (List<int[]> connection : frames.values()) {
                int data = 0;
                for (int[] frame : connection) {
                    if (frame[1] > 0 && ++data > cut) {
                        break;
                    }
                    out.add(frame[0]);
                }
            }
            return out;
        }
    }

    private static Connections connections(Path capture) {
        Map<Integer, List<int[]>> frames = new LinkedHashMap<>();
        Set<Integer> serverPorts = new TreeSet<>();
        for (String line : CapturedSegments.tshark(capture.toString(), "-Y", "tcp", "-T", "fields", "-e", "frame.number",
                "-e", "tcp.stream", "-e", "tcp.len", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack", "-e", "tcp.dstport")) {
            String[] f = line.split("\t", -1);
            if (f.length < 6 || f[1].isEmpty()) {
                continue;
            }
            frames.computeIfAbsent(Integer.parseInt(f[1]), k -> new ArrayList<>())
                    .add(new int[] {Integer.parseInt(f[0]), Integer.parseInt(f[2])});
            if (flag(f[3]) && !flag(f[4])) {
                serverPorts.add(Integer.parseInt(f[5]));
            }
        }
        return new Connections(frames, serverPorts);
    }

    private static boolean flag(String value) {
        return value.equals("1") || value.equalsIgnoreCase("true");
    }

    private static void editcap(Path in, Path out, List<Integer> dropped) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("editcap", in.toString(), out.toString()));
        dropped.forEach(n -> cmd.add(Integer.toString(n)));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("editcap finished").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(p.exitValue()).as("editcap exit status").isZero();
    }

    private static int tsharkRequests(Path file, Protocol protocol, Set<Integer> serverPorts) {
        List<String> args = new ArrayList<>(List.of(file.toString()));
        for (int port : serverPorts) {
            args.addAll(List.of("-d", "tcp.port==" + port + "," + protocol.tshark()));
        }
        args.addAll(List.of("-T", "fields", "-e", "tcp.dstport", "-e", "tcp.srcport"));
        for (String field : protocol.fields()) {
            args.addAll(List.of("-e", field));
        }
        int requests = 0;
        for (String line : CapturedSegments.tshark(args.toArray(String[]::new))) {
            String[] f = line.split("\t", -1);
            if (f.length < 2 + protocol.fields().length || f[0].isEmpty()) {
                continue;
            }
            boolean toServer = serverPorts.contains(Integer.parseInt(f[0])) && !serverPorts.contains(Integer.parseInt(f[1]));
            // AMQP's brokers ask too (connection.start, basic.deliver): its requests come from both sides
            if (toServer || protocol.tshark().equals("amqp")) {
                requests += protocol.requests().applyAsInt(java.util.Arrays.copyOfRange(f, 2, f.length));
            }
        }
        return requests;
    }

    private static int engineRequests(Path file, Protocol protocol) throws IOException {
        int[] requests = {0};
        DissectionEngine.standard().dissect("cut", List.of(PcapSource.file(file)), e -> {
            if (protocol.engine().contains(e.protocol()) && protocol.request().test(e)) {
                requests[0]++;
            }
        });
        return requests[0];
    }

    private static boolean requestSeen(Entry e) {
        return !"true".equals(e.fields().get("request_missing"));
    }

    private static int amqpRequests(String[] f) {
        List<String> classes = values(f[0]);
        List<String> methods = values(f[1]);
        int requests = 0;
        for (int i = 0; i < Math.min(classes.size(), methods.size()); i++) {
            int method = Integer.parseInt(methods.get(i));
            if (method % 2 == 0 && !(classes.get(i).equals("60") && method == 72)) {
                requests++;
            }
        }
        return requests;
    }

    private static List<String> values(String field) {
        return field.isEmpty() ? List.of() : List.of(field.split(","));
    }

    /** tshark's protocol names in a MANIFEST row, without their decode-as notes. */
    private static Set<String> names(String protocols) {
        Set<String> out = new TreeSet<>();
        for (String p : protocols.split(",")) {
            int note = p.indexOf('(');
            out.add(note < 0 ? p : p.substring(0, note));
        }
        return out;
    }
}
