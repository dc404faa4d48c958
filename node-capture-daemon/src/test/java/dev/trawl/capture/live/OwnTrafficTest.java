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
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class OwnTrafficTest {
    @Test
    void readsTheKernelsLittleEndianAddresses() {
        assertThat(OwnTraffic.endpoint("tcp", "0100007F:1F90", false)).isEqualTo(new Endpoint("tcp", "127.0.0.1", 8080));
        assertThat(OwnTraffic.endpoint("tcp", "0000000000000000FFFF00000100007F:A1B2", false)).isEqualTo(new Endpoint("tcp", "127.0.0.1", 0xA1B2));
        assertThat(OwnTraffic.endpoint("tcp", "00000000000000000000000001000000:0050", false)).isEqualTo(new Endpoint("tcp", "0:0:0:0:0:0:0:1", 80));
        assertThat(OwnTraffic.endpoint("tcp", "00000000:24FC", true)).isEqualTo(new Endpoint("tcp", null, 9468));
        assertThat(OwnTraffic.endpoint("udp", "00000000:D431", false)).isEqualTo(new Endpoint("udp", null, 0xD431));
        assertThat(OwnTraffic.endpoint("tcp", "00000000:0000", false)).isNull();
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

    /** The process's own listener and both ends of its connection; another process's sockets are not. */
    @Test
    void findsThisProcesssSocketsAndKeepsThemAfterTheyClose() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "Linux /proc only");
        OwnTraffic own = new OwnTraffic();
        own.refresh();
        long mark = own.mark();
        assertThat(own.newSince(mark)).isFalse();
        int clientPort;
        int serverPort;
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Socket client = new Socket()) {
            serverPort = server.getLocalPort();
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort));
            clientPort = client.getLocalPort();
            try (Socket accepted = server.accept()) {
                assertThat(own.refresh()).isTrue();
                assertThat(own.endpoints()).contains(
                        new Endpoint("tcp", "127.0.0.1", serverPort),
                        new Endpoint("tcp", "127.0.0.1", clientPort));
                assertThat(own.newSince(mark)).isTrue();
                assertThat(own.bpf()).contains("(host 127.0.0.1 and tcp port " + clientPort + ")");
            }
        }
        // gone from /proc, kept for the closing handshake and retransmissions
        own.refresh();
        assertThat(own.endpoints()).contains(new Endpoint("tcp", "127.0.0.1", clientPort));
    }
}
