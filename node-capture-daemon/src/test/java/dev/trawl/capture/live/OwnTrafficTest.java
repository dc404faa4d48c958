package dev.trawl.capture.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trawl.capture.live.OwnTraffic.Endpoint;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import dev.trawl.core.pcap.PcapWriter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnTrafficTest {
    /**
     * Another stack on this host, started before or after this capture, is left out by the ports it
     * recorded; a recording whose process is gone is ignored and removed.
     */
    @Test
    void leavesOutTheTrafficOfOtherStacksOnThisHost(@TempDir Path registry) throws Exception {
        var stacks = dev.trawl.core.LocalStacks.from(name -> name.equals("TRAWL_STACKS_DIR") ? registry.toString() : null);
        OwnTraffic own = new OwnTraffic(List.of(), stacks);
        own.refresh();
        assertThat(own.bpf()).doesNotContain("tcp port 9100");

        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(registry.resolve(gone.pid() + ".ports"), "9555,8678\n");
        try (AutoCloseable other = stacks.register(List.of(9100, 8223, 8998))) {
            assertThat(own.refresh()).isTrue();
            assertThat(own.endpoints()).contains(new Endpoint("tcp", null, 9100), new Endpoint("tcp", null, 8223), new Endpoint("tcp", null, 8998));
            assertThat(own.bpf()).contains("tcp port 9100").doesNotContain("9555");
            assertThat(registry.resolve(gone.pid() + ".ports")).doesNotExist();
        }
        assertThat(stacks.ports()).isEmpty();
    }

    @TempDir Path tmp;

    @Test
    void readsTheKernelsLittleEndianAddresses() {
        assertThat(OwnTraffic.endpoint("tcp", "0100007F:1F90", "0200000A:01BB", false)).isEqualTo(new Endpoint("tcp", "127.0.0.1", 8080, "10.0.0.2", 443));
        assertThat(OwnTraffic.endpoint("tcp", "0000000000000000FFFF00000100007F:A1B2", "0000000000000000FFFF00000100007F:2328", false))
                .isEqualTo(new Endpoint("tcp", "127.0.0.1", 0xA1B2, "127.0.0.1", 9000));
        assertThat(OwnTraffic.endpoint("tcp", "00000000000000000000000001000000:0050", "00000000000000000000000000000000:0000", true))
                .isEqualTo(new Endpoint("tcp", "0:0:0:0:0:0:0:1", 80));
        assertThat(OwnTraffic.endpoint("tcp", "00000000:24FC", "00000000:0000", true)).isEqualTo(new Endpoint("tcp", null, 9468));
        assertThat(OwnTraffic.endpoint("udp", "00000000:D431", "00000000:0000", false)).isEqualTo(new Endpoint("udp", null, 0xD431));
        assertThat(OwnTraffic.endpoint("tcp", "00000000:0000", "00000000:0000", false)).isNull();
        assertThat(OwnTraffic.endpoint("tcp", "0100007F:1F90", "00000000:0000", false)).as("bound, neither listening nor connected").isNull();
    }

    @Test
    void aConnectionMatchesByBothEnds() {
        assertThat(new Endpoint("tcp", "10.0.0.1", 40000, "10.0.0.2", 443).bpf()).isEqualTo("(host 10.0.0.1 and host 10.0.0.2 and tcp port 40000 and tcp port 443)");
        assertThat(new Endpoint("tcp", "127.0.0.1", 40000, "127.0.0.1", 9000).bpf()).isEqualTo("(host 127.0.0.1 and tcp port 40000 and tcp port 9000)");
        assertThat(new Endpoint("tcp", null, 9464).bpf()).isEqualTo("tcp port 9464");
    }

    /**
     * The kernel's conntrack lines (the format of /proc/net/nf_conntrack; this machine translates
     * nothing, so the lines are written here): a connection to a Service IP that DNAT sends to a
     * pod, and one accepted through a NodePort, each mapped to the pair the wire carries.
     */
    @Test
    void readsTheTranslatedPairOfAConnectionFromConntrack() throws Exception {
        Path table = tmp.resolve("nf_conntrack");
        Files.writeString(table, """
                ipv4     2 tcp      6 86397 ESTABLISHED src=10.0.0.5 dst=10.96.0.1 sport=41000 dport=443 src=10.244.1.7 dst=10.0.0.5 sport=6443 dport=41000 [ASSURED] mark=0 zone=0 use=2
                ipv4     2 tcp      6 86397 ESTABLISHED src=192.168.1.9 dst=10.0.0.5 sport=53000 dport=30080 src=10.0.0.5 dst=10.244.0.1 sport=9464 dport=53000 [ASSURED] mark=0 zone=0 use=2
                ipv4     2 icmp     1 29 src=10.0.0.5 dst=10.0.0.9 type=8 code=0 id=7 src=10.0.0.9 dst=10.0.0.5 type=0 code=0 id=7 mark=0 zone=0 use=2
                ipv6     10 udp      17 29 src=0000:0000:0000:0000:0000:0000:0000:0001 dst=::1 sport=5353 dport=53 src=::1 dst=::1 sport=53 dport=5353 mark=0 zone=0 use=2
                """);
        var pairs = OwnTraffic.conntrack(table);
        assertThat(pairs.get(new Endpoint("tcp", "10.0.0.5", 41000, "10.96.0.1", 443))).isEqualTo(new Endpoint("tcp", "10.0.0.5", 41000, "10.244.1.7", 6443));
        assertThat(pairs.get(new Endpoint("tcp", "10.0.0.5", 9464, "10.244.0.1", 53000))).isEqualTo(new Endpoint("tcp", "10.0.0.5", 30080, "192.168.1.9", 53000));
        assertThat(pairs.get(new Endpoint("udp", "0:0:0:0:0:0:0:1", 5353, "0:0:0:0:0:0:0:1", 53))).isEqualTo(new Endpoint("udp", "0:0:0:0:0:0:0:1", 5353, "0:0:0:0:0:0:0:1", 53));
        assertThat(OwnTraffic.conntrack(tmp.resolve("absent"))).isEmpty();
    }

    @Test
    void composesTheUsersFilterWithoutOwnTraffic() {
        assertThat(OwnTraffic.compose("tcp port 80", "(host 10.0.0.1 and tcp port 40000)"))
                .isEqualTo("(tcp port 80) and not ((host 10.0.0.1 and tcp port 40000))");
        assertThat(OwnTraffic.compose("", "tcp port 9464")).isEqualTo("not (tcp port 9464)");
        assertThat(OwnTraffic.compose("tcp port 80", "")).isEqualTo("tcp port 80");
    }

    @Test
    void leavesOutConfiguredPeersByTheirResolvedAddressAndPort() {
        OwnTraffic own = new OwnTraffic(List.of(URI.create("http://127.0.0.1:9123"), URI.create("https://127.0.0.2/sink"), URI.create("ftp://127.0.0.3/")));
        assertThat(own.refresh()).isTrue();
        assertThat(own.endpoints()).contains(new Endpoint("tcp", "127.0.0.1", 9123), new Endpoint("tcp", "127.0.0.2", 443))
                .noneMatch(e -> "127.0.0.3".equals(e.address()));
        assertThat(own.bpf()).contains("(host 127.0.0.1 and tcp port 9123)", "(host 127.0.0.2 and tcp port 443)");
    }

    /**
     * The process's listener, and its connection to another process's server (both ends); a
     * connection to its own listener needs no clause of its own (the listener's covers it), so it
     * leaves the program as it was.
     */
    @Test
    void findsThisProcesssSocketsAndKeepsThemAfterTheyClose() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "Linux /proc only");
        assumeTrue(new ProcessBuilder("sh", "-c", "command -v python3").start().waitFor() == 0, "python3 not installed");
        OwnTraffic own = new OwnTraffic();
        InetAddress lo = InetAddress.getLoopbackAddress();
        Process other = new ProcessBuilder("python3", "-c", """
                import socket, sys
                srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
                print(srv.getsockname()[1], flush=True); c, _ = srv.accept(); sys.stdin.read()
                """).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int otherServer = Integer.parseInt(new BufferedReader(new InputStreamReader(other.getInputStream())).readLine().trim());
        int clientPort;
        try (ServerSocket server = new ServerSocket(0, 5, lo)) {
            int serverPort = server.getLocalPort();
            own.refresh();
            String withListener = own.bpf();
            assertThat(own.endpoints()).contains(new Endpoint("tcp", "127.0.0.1", serverPort));
            try (Socket toOwn = new Socket(lo, serverPort); Socket accepted = server.accept()) {
                assertThat(own.refresh()).as("a connection to its own listener: %s", own.bpf()).isFalse();
                assertThat(own.bpf()).isEqualTo(withListener);
            }
            long mark = own.mark();
            try (Socket client = new Socket(lo, otherServer)) {
                clientPort = client.getLocalPort();
                assertThat(own.refresh()).isTrue();
                assertThat(own.endpoints()).contains(new Endpoint("tcp", "127.0.0.1", clientPort, "127.0.0.1", otherServer));
                assertThat(own.newSince(mark)).isTrue();
                assertThat(own.bpf()).contains("(host 127.0.0.1 and tcp port " + clientPort + " and tcp port " + otherServer + ")");
            }
        } finally {
            other.destroy();
            other.waitFor();
        }
        // gone from /proc, kept for the closing handshake and retransmissions
        own.refresh();
        assertThat(own.endpoints()).contains(new Endpoint("tcp", "127.0.0.1", clientPort, "127.0.0.1", otherServer));
    }

    @Test
    void aConnectionToAConfiguredPeerNeedsNoClauseOfItsOwn() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "Linux /proc only");
        InetAddress lo = InetAddress.getLoopbackAddress();
        Process peer = new ProcessBuilder("python3", "-c", """
                import socket, sys
                srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
                print(srv.getsockname()[1], flush=True); c, _ = srv.accept(); sys.stdin.read()
                """).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            int port = Integer.parseInt(new BufferedReader(new InputStreamReader(peer.getInputStream())).readLine().trim());
            OwnTraffic own = new OwnTraffic(List.of(URI.create("http://127.0.0.1:" + port)));
            own.refresh();
            String before = own.bpf();
            try (Socket s3 = new Socket(lo, port)) {
                assertThat(own.refresh()).isFalse();
                assertThat(own.bpf()).isEqualTo(before).contains("(host 127.0.0.1 and tcp port " + port + ")");
            }
        } finally {
            peer.destroy();
            peer.waitFor();
        }
    }

    /**
     * Linux lets connections to different destinations share a local port (connect() picks ports
     * per destination), so another process may hold the very local address and port of one of
     * the daemon's connections at the same time: leaving ours out must keep theirs.
     */
    @Test
    void keepsAnotherProcesssConnectionThatSharesTheLocalPortOfAnOwnOne() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "Linux /proc only");
        assumeTrue(new ProcessBuilder("sh", "-c", "command -v python3").start().waitFor() == 0, "python3 not installed");
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(0, 5, lo); Socket ours = new Socket()) {
            ours.setReuseAddress(true);
            ours.bind(new InetSocketAddress(lo, 0));
            ours.connect(server.getLocalSocketAddress());
            int shared = ours.getLocalPort();
            // another process: its own server, and a client on our connection's local address and port
            Process other = new ProcessBuilder("python3", "-c", """
                    import socket, sys
                    srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
                    c = socket.socket(); c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    c.bind(("127.0.0.1", int(sys.argv[1]))); c.connect(srv.getsockname())
                    print(srv.getsockname()[1], flush=True); sys.stdin.read()
                    """, Integer.toString(shared)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (Socket accepted = server.accept()) {
                int theirServer = Integer.parseInt(new BufferedReader(new InputStreamReader(other.getInputStream())).readLine().trim());
                OwnTraffic own = new OwnTraffic();
                own.refresh();

                Path chunk = tmp.resolve("c-000000001.pcap.part");
                try (PcapWriter w = new PcapWriter(Files.newOutputStream(chunk), PcapWriter.LINKTYPE_RAW, true)) {
                    w.write(1, tcp(shared, server.getLocalPort()));
                    w.write(2, tcp(server.getLocalPort(), shared));
                    w.write(3, tcp(shared, theirServer));
                    w.write(4, tcp(theirServer, shared));
                }
                LiveCapture.withoutOwnTraffic(chunk, own.bpf());
                assertThat(ports(chunk)).as("left out by %s", own.bpf())
                        .containsExactly(List.of(shared, theirServer), List.of(theirServer, shared));
            } finally {
                other.destroy();
                other.waitFor();
            }
        }
    }

    /** An IPv4 TCP segment (no payload) between two ports on 127.0.0.1, as a raw-IP link frame. */
    private static byte[] tcp(int srcPort, int dstPort) {
        ByteBuffer b = ByteBuffer.allocate(40);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 40).putInt(0).put((byte) 64).put((byte) 6).putShort((short) 0);
        b.put(lo()).put(lo());
        b.putShort((short) srcPort).putShort((short) dstPort).putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x10).putShort((short) 65535).putInt(0);
        return b.array();
    }

    private static byte[] lo() {
        return new byte[] {127, 0, 0, 1};
    }

    /** The (source, destination) ports of every packet in a file, read back with the core reader. */
    private static List<List<Integer>> ports(Path file) throws Exception {
        List<List<Integer>> out = new java.util.ArrayList<>();
        try (var r = dev.trawl.core.pcap.PcapReader.open(file)) {
            while (r.next()) {
                ByteBuffer d = r.data();
                out.add(List.of(Short.toUnsignedInt(d.getShort(d.position() + 20)), Short.toUnsignedInt(d.getShort(d.position() + 22))));
            }
        }
        return out;
    }
}
