package dev.trawl.engine;

import dev.trawl.engine.TestPackets.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static dev.trawl.engine.TestPackets.ascii;
import static dev.trawl.engine.TestPackets.concat;
import static dev.trawl.engine.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

/** Field values of each protocol's entries, on real captures where the set has them. */
class ProtocolFieldsTest {
    static final long T = 1_700_000_000_000_000_000L;

    @TempDir
    Path tmp;

    @Test
    void httpGetOnARealCapture() throws IOException {
        List<Entry> http = Captures.shared("zeek/get.pcap").protocol("http");
        assertThat(http).hasSize(1);
        Entry e = http.getFirst();
        assertThat(e.method()).isEqualTo("GET");
        assertThat(e.path()).isEqualTo("/download/CHANGES.bro-aux.txt");
        assertThat(e.host()).isEqualTo("bro.org");
        assertThat(e.status()).isEqualTo(200);
        assertThat(e.statusText()).isEqualTo("OK");
        assertThat(e.srcIp()).isEqualTo("141.142.228.5");
        assertThat(e.srcPort()).isEqualTo(59856);
        assertThat(e.dstIp()).isEqualTo("192.150.187.43");
        assertThat(e.dstPort()).isEqualTo(80);
        assertThat(e.transport()).isEqualTo("tcp");
        assertThat(e.timestampMicros()).isEqualTo(1362692526939527L);
        assertThat(e.latencyMicros()).isEqualTo(69985);
        assertThat(e.requestHeaders()).containsEntry("User-Agent", "Wget/1.14 (darwin12.2.0)");
        assertThat(e.responseHeaders()).containsEntry("Content-Length", "4705");
        assertThat(e.responseBody()).hasSize(4705).startsWith("\n0.26 | 2012-08-24 15:10:04 -0700");
        assertThat(e.summary()).isEqualTo("GET /download/CHANGES.bro-aux.txt -> 200 OK");
    }

    @Test
    void pipelinedRequestsArePairedInOrder() throws IOException {
        List<Entry> http = Captures.shared("zeek/pipelined-requests.pcap").protocol("http");
        assertThat(http).extracting(Entry::path).containsExactly("/style/enhanced.css", "/script/urchin.js",
                "/images/template/screen/bullet_utility.png", "/images/template/screen/key-point-top.png",
                "/projects/calendar/images/header-sunbird.png");
        assertThat(http).extracting(e -> e.responseHeaders().get("Content-Type"))
                .containsExactly("text/css", "application/x-javascript", "image/png", "image/png", "image/png");
        assertThat(http).allSatisfy(e -> assertThat(e.answered()).isTrue());
    }

    @Test
    void gzipAndChunkedBodiesAreDecodedOnRealCaptures() throws IOException {
        List<Entry> http = Captures.shared("nDPI/1kxun.pcap").protocol("http");
        Entry e = http.stream().filter(x -> x.path().startsWith("/api/videos/10410.json?callback=")).findFirst().orElseThrow();
        assertThat(e.responseHeaders()).containsEntry("Content-Encoding", "gzip").containsEntry("Transfer-Encoding", "chunked");
        assertThat(e.responseBody()).startsWith("jQuery18306855657112319022_1470103242123({\"status\":\"success\"");
    }

    @Test
    void chunkedGzipBodyOverSyntheticSegmentsAndTheBodyLimit() throws IOException {
        String text = "{\"items\":[" + "{\"id\":1},".repeat(2000) + "{}]}";
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(text.getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = gz.toByteArray();
        ByteArrayOutputStream resp = new ByteArrayOutputStream();
        resp.writeBytes(ascii("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"));
        for (int off = 0; off < body.length; off += 100) {
            int n = Math.min(100, body.length - off);
            resp.writeBytes(ascii(Integer.toHexString(n) + "\r\n"));
            resp.write(body, off, n);
            resp.writeBytes(ascii("\r\n"));
        }
        resp.writeBytes(ascii("0\r\nX-Trailer: t\r\n\r\n"));
        Path f = Captures.write(tmp.resolve("gz.pcap"), out -> {
            Flow flow = new Flow(out, ip(10, 0, 0, 1), 41000, ip(10, 0, 0, 2), 80, 1, 1).handshake(T);
            flow.mss = 90;
            flow.send(true, ascii("GET /items HTTP/1.1\r\nHost: api\r\nAccept-Encoding: gzip\r\n\r\n"), T + 1000);
            flow.send(false, resp.toByteArray(), T + 2000);
            flow.send(true, ascii("GET /next HTTP/1.1\r\nHost: api\r\n\r\n"), T + 3000);
            flow.send(false, ascii("HTTP/1.1 204 No Content\r\n\r\n"), T + 4000);
            flow.fin(T + 5000);
        });
        DissectionEngine engine = DissectionEngine.builder().options(DissectionOptions.defaults().withBodyLimit(1000)).build();
        List<Entry> http = Captures.dissect(engine, f).protocol("http");
        assertThat(http).hasSize(2);
        assertThat(http.get(0).responseBody()).hasSize(1000).isEqualTo(text.substring(0, 1000));
        assertThat(http.get(0).fields()).containsEntry("response_body_truncated", "true");
        assertThat(http.get(0).responseSize()).isEqualTo(resp.size());
        assertThat(http.get(1).path()).isEqualTo("/next");
        assertThat(http.get(1).status()).isEqualTo(204);
    }

    @Test
    void upgradeToWebsocketHandsTheConnectionToTheRegisteredParser() throws IOException {
        long[] bytesSeen = new long[1];
        TcpProtocol fakeWebsocket = new TcpProtocol() {
            @Override public String name() { return "websocket"; }
            @Override public Detection detect(ByteBuffer data, int port) { return Detection.NO; }
            @Override public TcpParser newParser(TcpContext context) {
                return new TcpParser() {
                    @Override public int onData(Direction d, ByteBuffer data, long ts) { bytesSeen[0] += data.remaining(); return data.remaining(); }
                    @Override public void onGap(Direction d, long length, long ts) { }
                    @Override public void onClose(long ts) { }
                };
            }
        };
        ProtocolRegistry registry = ProtocolRegistry.builder().tcp(new dev.trawl.engine.http1.Http1Protocol()).tcp(fakeWebsocket).build();
        Captures.Result r = Captures.dissect(DissectionEngine.builder().registry(registry).build(), SharedCaptures.path("zeek/websocket.pcap"));
        assertThat(r.entries()).hasSize(1);
        assertThat(r.entries().getFirst().status()).isEqualTo(101);
        assertThat(r.entries().getFirst().requestHeaders()).containsKey("Sec-WebSocket-Key");
        assertThat(bytesSeen[0]).isPositive();
    }

    @Test
    void dnsQueriesPairWithResponsesById() throws IOException {
        Captures.Result r = Captures.shared("PcapPlusPlus/DnsPackets.pcap");
        Entry e = r.protocol("dns").getFirst();
        assertThat(e.method()).isEqualTo("A");
        assertThat(e.path()).isEqualTo("www.google.com");
        assertThat(e.dnsQuestions()).containsExactly("www.google.com");
        assertThat(e.dnsAnswers()).containsExactly("173.194.112.19", "173.194.112.18", "173.194.112.17", "173.194.112.16", "173.194.112.20");
        assertThat(e.statusText()).isEqualTo("NOERROR");
        assertThat(e.answered()).isTrue();
        assertThat(e.latencyMicros()).isEqualTo(17500);
        assertThat(e.fields()).containsEntry("dns_id", "33157");
        assertThat(e.srcPort()).isEqualTo(56520);
        assertThat(e.dstPort()).isEqualTo(53);
        assertThat(e.transport()).isEqualTo("udp");
    }

    @Test
    void dnsOverTcpIsRecognisedByContentOnAnyPort() throws IOException {
        byte[] q = dev.trawl.engine.bench.DissectBenchmarkAccess.dnsMessage(7, "db.internal", false);
        byte[] a = dev.trawl.engine.bench.DissectBenchmarkAccess.dnsMessage(7, "db.internal", true);
        Path f = Captures.write(tmp.resolve("dnstcp.pcap"), out -> {
            Flow flow = new Flow(out, ip(10, 0, 0, 1), 41001, ip(10, 0, 0, 2), 5300, 1, 1).handshake(T);
            flow.send(true, lengthPrefixed(q), T + 1000);
            flow.send(false, lengthPrefixed(a), T + 2000);
            flow.fin(T + 3000);
        });
        List<Entry> dns = Captures.dissect(f).protocol("dns");
        assertThat(dns).hasSize(1);
        assertThat(dns.getFirst().transport()).isEqualTo("tcp");
        assertThat(dns.getFirst().path()).isEqualTo("db.internal");
        assertThat(dns.getFirst().dnsAnswers()).containsExactly("10.96.0.7");
    }

    private static byte[] lengthPrefixed(byte[] m) {
        return ByteBuffer.allocate(2 + m.length).putShort((short) m.length).put(m).array();
    }

    @Test
    void tlsClientHelloGivesSniAlpnAndVersions() throws IOException {
        Entry e = Captures.shared("mercury/sll_tls.pcap").protocol("tls").getFirst();
        assertThat(e.method()).isEqualTo("ClientHello");
        assertThat(e.path()).isEqualTo("api.scarf.sh");
        assertThat(e.host()).isEqualTo("api.scarf.sh");
        assertThat(e.fields()).containsEntry("tls_sni", "api.scarf.sh").containsEntry("tls_alpn", "http/1.1")
                .containsEntry("tls_supported_versions", "TLS 1.3,TLS 1.2");
        assertThat(e.dstPort()).isEqualTo(443);
        assertThat(e.answered()).isFalse(); // the capture holds the ClientHello only
    }

    @Test
    void tlsClientHelloSplitOverRecordsAndSegments() throws IOException {
        List<Entry> tls = Captures.shared("arkime/tls-split-client-hello.pcap").protocol("tls");
        assertThat(tls).hasSize(1);
        assertThat(tls.getFirst().path()).isNotEmpty();
        assertThat(tls.getFirst().answered()).isTrue();
        assertThat(tls.getFirst().fields()).containsKey("tls_version");
    }

    @Test
    void tls13HelloRetryRequestIsOneHandshakeAnsweredByTheRealServerHello() throws IOException {
        // TLS 1.3 with a HelloRetryRequest (the server wants another key share), as curl against
        // a server preferring another group sends it: both sides send the compatibility
        // ChangeCipherSpec before their second hello, so the hellos after it are plaintext.
        byte[] hrrRandom = java.util.HexFormat.of().parseHex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");
        byte[] ccs = {20, 3, 3, 0, 1, 1};
        byte[] appData = {23, 3, 3, 0, 4, 9, 9, 9, 9};
        Path f = Captures.write(tmp.resolve("hrr.pcap"), out -> {
            Flow flow = new Flow(out, ip(10, 0, 0, 1), 41002, ip(10, 0, 0, 2), 8443, 1, 1).handshake(T);
            flow.send(true, tlsRecord(22, clientHello("retry.example")), T + 1_000_000);
            flow.send(false, concat(tlsRecord(22, serverHello(hrrRandom, 0x1302)), ccs), T + 2_000_000);
            flow.send(true, concat(ccs, tlsRecord(22, clientHello("retry.example"))), T + 3_000_000);
            flow.send(false, concat(tlsRecord(22, serverHello(new byte[32], 0x1301)), ccs, appData), T + 4_000_000);
            flow.send(true, appData, T + 5_000_000);
            flow.fin(T + 6_000_000);
        });
        Captures.Result r = Captures.dissect(f);
        List<Entry> tls = r.protocol("tls");
        assertThat(tls).hasSize(1);
        Entry e = tls.getFirst();
        assertThat(e.path()).isEqualTo("retry.example");
        assertThat(e.answered()).isTrue();
        assertThat(e.latencyMicros()).isEqualTo(3000); // from the first ClientHello to the real ServerHello
        assertThat(e.fields()).containsEntry("tls_version", "TLS 1.3").containsEntry("tls_cipher", "0x1301")
                .containsEntry("tls_hello_retry", "true");
        // like tshark, each ClientHello on the wire is counted
        assertThat(r.stats().counter("tls_client_hellos_with_sni")).isEqualTo(2);
        assertThat(r.stats().counter("tls_hello_retry_requests")).isEqualTo(1);
    }

    private static byte[] clientHello(String sni) {
        byte[] name = ascii(sni);
        ByteBuffer ext = ByteBuffer.allocate(9 + name.length + 7);
        ext.putShort((short) 0).putShort((short) (5 + name.length)).putShort((short) (3 + name.length)).put((byte) 0)
                .putShort((short) name.length).put(name);
        ext.putShort((short) 43).putShort((short) 3).put((byte) 2).putShort((short) 0x0304); // supported_versions: TLS 1.3
        ByteBuffer body = ByteBuffer.allocate(2 + 32 + 1 + 4 + 2 + 2 + ext.capacity());
        body.putShort((short) 0x0303).put(new byte[32]).put((byte) 0).putShort((short) 2).putShort((short) 0x1301)
                .put((byte) 1).put((byte) 0).putShort((short) ext.capacity()).put(ext.array());
        return handshake(1, body.array());
    }

    private static byte[] serverHello(byte[] random, int cipher) {
        ByteBuffer body = ByteBuffer.allocate(2 + 32 + 1 + 2 + 1 + 2 + 6);
        body.putShort((short) 0x0303).put(random).put((byte) 0).putShort((short) cipher).put((byte) 0)
                .putShort((short) 6).putShort((short) 43).putShort((short) 2).putShort((short) 0x0304);
        return handshake(2, body.array());
    }

    private static byte[] handshake(int type, byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(type << 24 | body.length).put(body).array();
    }

    private static byte[] tlsRecord(int type, byte[] fragment) {
        return ByteBuffer.allocate(5 + fragment.length).put((byte) type).putShort((short) 0x0303)
                .putShort((short) fragment.length).put(fragment).array();
    }

    @Test
    void icmpEchoRequestsPairWithReplies() throws IOException {
        List<Entry> icmp = Captures.shared("zeek/5-pings.pcap").protocol("icmp");
        assertThat(icmp).hasSize(5);
        Entry e = icmp.getFirst();
        assertThat(e.srcIp()).isEqualTo("172.16.133.2");
        assertThat(e.dstIp()).isEqualTo("172.217.11.78");
        assertThat(e.path()).isEqualTo("id=1226 seq=1");
        assertThat(e.latencyMicros()).isEqualTo(26299);
        assertThat(icmp).allSatisfy(x -> assertThat(x.answered()).isTrue());
    }

    @Test
    void linkTypesVlanAndFragmentsReachTheProtocols() throws IOException {
        assertThat(Captures.shared("suricata-verify/decode-sll2-02__input.pcap").protocol("http")).hasSize(1); // SLL2
        assertThat(Captures.shared("mercury/sll_tls.pcap").protocol("tls")).hasSize(1); // SLL
        assertThat(Captures.shared("tcpdump/LINKTYPE_RAW_ipv6.pcap").stats().counter("dns_messages")).isEqualTo(1); // raw IPv6
        assertThat(Captures.shared("suricata-verify/flow-test-01.pcap").protocol("tls")).hasSize(1); // LINKTYPE_IPV4
        assertThat(Captures.shared("zeek/vlan-qinqinq.pcap").protocol("http")).hasSize(1); // three VLAN tags
        assertThat(Captures.shared("zeek/nflog-http.pcap").protocol("http")).hasSize(1); // NFLOG
        assertThat(Captures.shared("zeek/ipv6-fragmented-dns.pcap").stats().counter("dns_messages")).isEqualTo(5); // IPv6 fragments
        Entry v6 = Captures.shared("arkime/v6-http.pcap").protocol("http").getFirst();
        assertThat(v6.srcIp()).contains(":");
    }
}
