package dev.trawl.engine.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.Entry;
import dev.trawl.engine.PcapSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/1.1 {@code Upgrade: h2c} (no shared capture has one): the HTTP/1 parser hands the
 * connection to HTTP/2, whose stream 1 answers the upgraded request. tshark reads the same file
 * as the oracle.
 */
class H2cUpgradeTest {

    @Test
    void theUpgradedRequestIsAnsweredOnStreamOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("h2c.pcap");
        byte[] settings = HexFormat.of().parseHex("000000040000000000");
        try (SyntheticTcp tcp = new SyntheticTcp(file, 40000, 8080)) {
            tcp.send(true, ("GET /resource HTTP/1.1\r\nHost: example.test\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            tcp.send(false, concat("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII), settings,
                    // HEADERS stream 1, END_HEADERS: :status 200 (static 8), content-type text/plain (literal, index 31)
                    HexFormat.of().parseHex("00000d01040000000188" + "5f0a746578742f706c61696e"),
                    // DATA stream 1, END_STREAM: "hello"
                    HexFormat.of().parseHex("0000050001000000016865" + "6c6c6f")));
            tcp.send(true, concat("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII), settings));
        }
        List<Entry> entries = new ArrayList<>();
        DissectionEngine.standard().dissect("n", List.of(PcapSource.file(file)), entries::add);
        assertThat(entries).extracting(Entry::protocol).containsExactly("http", "http2");
        assertThat(entries.get(0).status()).isEqualTo(101);
        Entry stream = entries.get(1);
        assertThat(stream.method()).isEqualTo("GET");
        assertThat(stream.path()).isEqualTo("/resource");
        assertThat(stream.host()).isEqualTo("example.test");
        assertThat(stream.status()).isEqualTo(200);
        assertThat(stream.responseBody()).isEqualTo("hello");
        assertThat(stream.responseHeaders()).containsEntry("content-type", "text/plain");
        assertThat(stream.fields()).containsEntry("http2_stream_id", "1");
        assertThat(stream.answered()).isTrue();

        // the oracle: tshark follows the upgrade by itself and reads the same response
        List<String> tshark = CapturedSegments.tshark(file.toString(), "-T", "fields", "-e", "http2.headers.status",
                "-e", "http2.data.data", "-Y", "http2.streamid == 1");
        assertThat(String.join(" ", tshark)).contains("200").contains("68656c6c6f");
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }
}
