package dev.trawl.engine;

import dev.trawl.engine.TestPackets.Flow;
import dev.trawl.engine.testing.CapturedSegments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.trawl.engine.TestPackets.ascii;
import static dev.trawl.engine.TestPackets.concat;
import static dev.trawl.engine.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

class TcpReassemblyTest {
    static final long T = 1_700_000_000_000_000_000L;
    static final int C = ip(10, 0, 0, 1), S = ip(10, 0, 0, 2);
    static final byte[] REQ = ascii("POST /orders HTTP/1.1\r\nHost: shop\r\nContent-Length: 11\r\n\r\nhello world");
    static final byte[] RESP = ascii("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");

    @TempDir
    Path tmp;

    @Test
    void segmentsOutOfOrderRetransmittedAndOverlappingGiveOneCleanCall() throws IOException {
        Path f = Captures.write(tmp.resolve("ooo.pcap"), out -> {
            Flow flow = new Flow(out, C, 40000, S, 80, 1000, 5000).handshake(T);
            // request in three pieces: third, first, first again (retransmission), second overlapping into the third
            flow.segmentAt(true, 40, REQ, 40, REQ.length - 40, T + 10_000);
            flow.segmentAt(true, 0, REQ, 0, 20, T + 11_000);
            flow.segmentAt(true, 0, REQ, 0, 20, T + 12_000);
            flow.segmentAt(true, 20, REQ, 20, 30, T + 13_000);
            flow.advance(true, REQ.length);
            flow.ack(false, T + 14_000);
            flow.send(false, RESP, T + 20_000_000);
            flow.fin(T + 30_000_000);
        });
        Captures.Result r = Captures.dissect(f);
        assertThat(r.entries()).hasSize(1);
        Entry e = r.entries().getFirst();
        assertThat(e.method()).isEqualTo("POST");
        assertThat(e.path()).isEqualTo("/orders");
        assertThat(e.requestBody()).isEqualTo("hello world");
        assertThat(e.status()).isEqualTo(201);
        assertThat(e.responseBody()).isEqualTo("ok");
        assertThat(e.answered()).isTrue();
        assertThat(e.latencyMicros()).isEqualTo((T + 20_000_000 - (T + 11_000)) / 1000);
        assertThat(e.srcIp()).isEqualTo("10.0.0.1");
        assertThat(e.dstPort()).isEqualTo(80);
        assertThat(r.stats().counter("tcp_retransmissions")).isEqualTo(1);
        assertThat(r.stats().counter("tcp_overlaps")).isEqualTo(1);
        assertThat(r.stats().damage("tcp_gaps")).isZero();
    }

    @Test
    void aLostSegmentIsReportedAndTheParserResynchronisesOnTheNextRequest() throws IOException {
        byte[] first = ascii("GET /one HTTP/1.1\r\nHost: a\r\nX-Pad: " + "p".repeat(100) + "\r\n\r\n");
        byte[] second = ascii("GET /two HTTP/1.1\r\nHost: a\r\n\r\n");
        byte[] ok = ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        Path f = Captures.write(tmp.resolve("gap.pcap"), out -> {
            Flow flow = new Flow(out, C, 40001, S, 80, 1, 1).handshake(T);
            flow.segment(true, first, 0, 30, T + 1000, TestPackets.ACK);
            flow.advance(true, 40); // 40 bytes never captured
            flow.segment(true, first, 70, first.length - 70, T + 2000, TestPackets.ACK);
            flow.ack(false, T + 3000); // the server acknowledged everything: the hole is a capture loss
            flow.send(false, ok, T + 4000);
            flow.send(true, second, T + 5000);
            flow.send(false, ok, T + 6000);
            flow.fin(T + 7000);
        });
        Captures.Result r = Captures.dissect(f);
        assertThat(r.stats().damage("tcp_gaps")).isEqualTo(1);
        assertThat(r.entries()).extracting(Entry::path).contains("/two");
        Entry two = r.entries().stream().filter(e -> e.path().equals("/two")).findFirst().orElseThrow();
        assertThat(two.answered()).isTrue();
        assertThat(two.status()).isEqualTo(200);
    }

    @Test
    void requestsHeldBehindHolesUntilTheConnectionEndsKeepTheTimeOfTheirOwnPackets() throws IOException {
        // each POST's 2-byte body was not captured and nothing acknowledges past the holes: the
        // heads wait out of order until the input ends, long after they were captured
        Path f = Captures.write(tmp.resolve("held.pcap"), out -> {
            Flow flow = new Flow(out, C, 40010, S, 80, 1, 1).handshake(T);
            for (int i = 0; i < 3; i++) {
                byte[] head = ascii("POST /beacon/" + i + " HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n");
                flow.segment(true, head, 0, head.length, T + (i + 1) * 1_000_000_000L, TestPackets.PSH | TestPackets.ACK);
                flow.advance(true, 2);
            }
            flow.ack(true, T + 60_000_000_000L); // a keep-alive ACK a minute later is the last packet
        });
        Captures.Result r = Captures.dissect(f);
        assertThat(r.stats().damage("tcp_gaps")).isPositive();
        assertThat(r.entries()).extracting(Entry::path).containsExactly("/beacon/0", "/beacon/1", "/beacon/2");
        assertThat(r.entries()).extracting(Entry::timestampMicros)
                .containsExactly((T + 1_000_000_000L) / 1000, (T + 2_000_000_000L) / 1000, (T + 3_000_000_000L) / 1000);
    }

    @Test
    void aRequestReleasedByTheAckThatCameWithItsResponseIsDatedByItsOwnPacket() throws IOException {
        byte[] post = ascii("POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n");
        byte[] get = ascii("GET /three HTTP/1.1\r\nHost: a\r\n\r\n");
        byte[] ok = ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        Path f = Captures.write(tmp.resolve("released.pcap"), out -> {
            Flow flow = new Flow(out, C, 40011, S, 80, 1, 1).handshake(T);
            flow.segment(true, post, 0, post.length, T + 1_000_000, TestPackets.PSH | TestPackets.ACK);
            flow.advance(true, 4); // the POST's body was not captured
            flow.segment(true, get, 0, get.length, T + 2_000_000, TestPackets.PSH | TestPackets.ACK);
            // the server's first response acknowledges past the hole: only then is the GET delivered
            flow.segment(false, ok, 0, ok.length, T + 50_000_000, TestPackets.PSH | TestPackets.ACK);
            flow.segment(false, ok, 0, ok.length, T + 80_000_000, TestPackets.PSH | TestPackets.ACK);
            flow.fin(T + 90_000_000);
        });
        Captures.Result r = Captures.dissect(f);
        Entry three = r.entries().stream().filter(e -> e.path().equals("/three")).findFirst().orElseThrow();
        assertThat(three.timestampMicros()).isEqualTo((T + 2_000_000) / 1000);
        assertThat(three.answered()).isTrue();
        assertThat(three.latencyMicros()).isEqualTo((80_000_000 - 2_000_000) / 1000);
    }

    @Test
    void aPipelinedRequestWhoseHeadEndsInTheNextPacketIsDatedByItsFirstByte() throws IOException {
        byte[] two = ascii("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
        int split = two.length - 10; // the first packet ends inside the second head
        byte[] ok = ascii("HTTP/1.1 204 No Content\r\n\r\n");
        Path f = Captures.write(tmp.resolve("pipelined.pcap"), out -> {
            Flow flow = new Flow(out, C, 40012, S, 80, 1, 1).handshake(T);
            flow.segment(true, two, 0, split, T + 1_000_000, TestPackets.PSH | TestPackets.ACK);
            flow.segment(true, two, split, two.length - split, T + 5_000_000, TestPackets.PSH | TestPackets.ACK);
            flow.segment(false, ok, 0, ok.length, T + 20_000_000, TestPackets.PSH | TestPackets.ACK);
            flow.segment(false, ok, 0, ok.length, T + 21_000_000, TestPackets.PSH | TestPackets.ACK);
            flow.fin(T + 30_000_000);
        });
        List<Entry> http = Captures.dissect(f).protocol("http");
        assertThat(http).extracting(Entry::path).containsExactly("/a", "/b");
        assertThat(http).extracting(Entry::timestampMicros).containsExactly((T + 1_000_000) / 1000, (T + 1_000_000) / 1000);
        assertThat(http).extracting(Entry::latencyMicros).containsExactly(19_000L, 20_000L);
    }

    @Test
    void headsDribbledOneByteAPacketAreDatedByTheirFirstBytes() throws IOException {
        // more packets than the held bytes keep a time for each; the second head starts inside the
        // packet that ends the first, and is held on its own after the first is consumed
        byte[] first = ascii("GET /slow HTTP/1.1\r\nHost: h\r\nX-Pad: " + "p".repeat(700) + "\r\n\r\n");
        byte[] second = ascii("GET /next HTTP/1.1\r\nHost: h\r\nX-Pad: " + "q".repeat(700) + "\r\n\r\n");
        byte[] both = concat(first, second);
        byte[] ok = ascii("HTTP/1.1 204 No Content\r\n\r\n");
        long[] secondStarts = new long[1];
        Path f = Captures.write(tmp.resolve("dribble.pcap"), out -> {
            Flow flow = new Flow(out, C, 40014, S, 80, 1, 1).handshake(T);
            for (int off = 0, n = 0; off < both.length; n++) {
                int len = off == first.length - 1 ? 6 : 1; // the first head's last byte and the second's first five
                long ts = T + 1_000_000 + n * 1000L;
                if (off + len > first.length && off < first.length) secondStarts[0] = ts;
                flow.segment(true, both, off, len, ts, TestPackets.PSH | TestPackets.ACK);
                off += len;
            }
            flow.segment(false, concat(ok, ok), 0, 2 * ok.length, T + 2_000_000_000L, TestPackets.PSH | TestPackets.ACK);
            flow.fin(T + 3_000_000_000L);
        });
        List<Entry> http = Captures.dissect(f).protocol("http");
        assertThat(http).extracting(Entry::path).containsExactly("/slow", "/next");
        assertThat(http).extracting(Entry::timestampMicros).containsExactly((T + 1_000_000) / 1000, secondStarts[0] / 1000);
        assertThat(http).extracting(Entry::status).containsExactly(204, 204);
    }

    @Test
    void aQuerySpanningPacketsIsDatedByItsFirstPacketInProtocolsOtherThanHttp() throws IOException {
        // PostgreSQL's decoder, like those of HTTP/2, MySQL or Kafka, waits for a whole message and
        // dates it by the bytes it is then offered: those held back must keep their own time
        byte[] startup = pg((byte) 0, ByteBuffer.allocate(4).putInt(196608).array(), ascii("user\0app\0database\0shop\0\0"));
        byte[] ready = concat(pg((byte) 'R', new byte[4]), pg((byte) 'Z', ascii("I")));
        String sql = "SELECT * FROM orders WHERE note IN ('" + "x".repeat(3000) + "')";
        byte[] query = pg((byte) 'Q', ascii(sql + "\0"));
        byte[] done = concat(pg((byte) 'C', ascii("SELECT 0\0")), pg((byte) 'Z', ascii("I")));
        Path f = Captures.write(tmp.resolve("pg.pcap"), out -> {
            Flow flow = new Flow(out, C, 40013, S, 5432, 1, 1).handshake(T);
            flow.segment(true, startup, 0, startup.length, T + 1_000_000, TestPackets.PSH | TestPackets.ACK);
            flow.segment(false, ready, 0, ready.length, T + 2_000_000, TestPackets.PSH | TestPackets.ACK);
            flow.segment(true, query, 0, 1448, T + 10_000_000, TestPackets.ACK);
            flow.segment(true, query, 1448, 1448, T + 12_000_000, TestPackets.ACK);
            flow.segment(true, query, 2896, query.length - 2896, T + 14_000_000, TestPackets.PSH | TestPackets.ACK);
            flow.segment(false, done, 0, done.length, T + 20_000_000, TestPackets.PSH | TestPackets.ACK);
            flow.fin(T + 30_000_000);
        });
        Entry select = Captures.dissect(f).protocol("postgresql").stream()
                .filter(e -> e.method().equals("SELECT")).findFirst().orElseThrow();
        assertThat(select.timestampMicros()).isEqualTo((T + 10_000_000) / 1000);
        assertThat(select.latencyMicros()).isEqualTo(10_000L);
    }

    @Test
    void everyRequestOfARealCaptureWithHolesIsDatedByTheFrameThatStartsIt() throws IOException {
        // Without reassembly tshark reads a request line in every frame that starts one, also after
        // a hole ("previous segment not captured") where its reassembling view gives up on the stream.
        Path capture = SharedCaptures.path("PcapPlusPlus/4KHttpRequests.pcap");
        List<String> frames = CapturedSegments.tshark(capture.toString(), "-n", "-o", "tcp.desegment_tcp_streams:FALSE",
                "-Y", "http.request", "-T", "fields",
                "-e", "tcp.srcport", "-e", "http.request.method", "-e", "http.request.uri", "-e", "frame.time_epoch");
        java.util.Map<String, Integer> unclaimed = new java.util.HashMap<>();
        for (String line : frames) {
            if (line.isBlank()) continue;
            String[] f = line.split("\t", -1);
            long micros = new java.math.BigDecimal(f[3]).movePointRight(6).longValueExact();
            unclaimed.merge(f[0] + " " + f[1] + " " + f[2] + " @" + micros, 1, Integer::sum);
        }
        List<String> undated = new ArrayList<>();
        // compared with tshark's URIs as they were sent: the capture's api_key parameters unredacted
        List<Entry> http = Captures.dissect(DissectionEngine.builder().redaction(Redaction.none()).build(), capture).protocol("http");
        for (Entry e : http) {
            String key = e.srcPort() + " " + e.method() + " " + e.path() + " @" + e.timestampMicros();
            // each frame dates one request: requests stamped alike by a late delivery cannot all claim it
            if (unclaimed.merge(key, -1, Integer::sum) < 0) undated.add(key);
        }
        assertThat(http).extracting(Entry::method).contains("POST");
        assertThat(undated).isEmpty();
    }

    /** A PostgreSQL message: its type byte (none when 0, as in the startup packet), length and parts. */
    private static byte[] pg(byte type, byte[]... parts) {
        byte[] body = concat(parts);
        ByteBuffer b = ByteBuffer.allocate((type == 0 ? 4 : 5) + body.length);
        if (type != 0) b.put(type);
        return b.putInt(4 + body.length).put(body).array();
    }

    @Test
    void aConnectionWhoseStartWasNotCapturedIsPickedUpAtTheNextMessage() throws IOException {
        Path f = Captures.write(tmp.resolve("mid.pcap"), out -> {
            Flow flow = new Flow(out, C, 40002, S, 8080, 77, 99);
            // no handshake: the tail of an earlier response body, then a fresh exchange
            flow.send(false, ascii("rest of some earlier body}\r\n"), T);
            flow.send(true, REQ, T + 1000);
            flow.send(false, RESP, T + 2000);
        });
        Captures.Result r = Captures.dissect(f);
        assertThat(r.entries()).hasSize(1);
        assertThat(r.entries().getFirst().srcIp()).isEqualTo("10.0.0.1");
        assertThat(r.entries().getFirst().dstPort()).isEqualTo(8080);
        assertThat(r.entries().getFirst().status()).isEqualTo(201);
    }

    @Test
    void aConnectionSpanningTwoCapturesIsOneConnection() throws IOException {
        Flow[] flow = new Flow[1];
        Path a = Captures.write(tmp.resolve("a.pcap"), out -> {
            flow[0] = new Flow(out, C, 40003, S, 80, 5, 6).handshake(T);
            flow[0].send(true, REQ, T + 1000);
        });
        Path b = Captures.write(tmp.resolve("b.pcap"), out -> {
            Flow cont = new Flow(out, C, 40003, S, 80, 5 + 1 + REQ.length, 6 + 1);
            cont.send(false, RESP, T + 5_000_000);
            cont.fin(T + 6_000_000);
        });
        Captures.Result r = Captures.dissect(a, b);
        assertThat(r.entries()).hasSize(1);
        Entry e = r.entries().getFirst();
        assertThat(e.answered()).isTrue();
        assertThat(e.source()).endsWith("a.pcap");
        assertThat(e.latencyMicros()).isEqualTo(4999);
    }

    @Test
    void requestsStillOpenAtTheEndOrAfterTheIdleTimeoutComeOutUnanswered() throws IOException {
        Path f = Captures.write(tmp.resolve("open.pcap"), out -> {
            new Flow(out, C, 40004, S, 80, 1, 1).handshake(T).send(true, REQ, T + 1000);
            // ten minutes later (packet time) another connection: the first has timed out by then
            new Flow(out, C, 40005, S, 80, 1, 1).handshake(T + 600_000_000_000L).send(true, ascii("GET /late HTTP/1.1\r\n\r\n"), T + 600_000_100_000L);
        });
        List<String> order = new ArrayList<>();
        DissectionEngine engine = DissectionEngine.builder().options(DissectionOptions.defaults().withTcpIdleTimeout(Duration.ofMinutes(5))).build();
        Captures.Result r = Captures.dissect(engine, f);
        r.entries().forEach(e -> order.add(e.path()));
        assertThat(order).containsExactly("/orders", "/late");
        assertThat(r.entries()).allSatisfy(e -> assertThat(e.answered()).isFalse());
    }

    @Test
    void anEndlessHeaderIsCutAtTheConnectionBufferAndCounted() throws IOException {
        byte[] start = ascii("GET /huge HTTP/1.1\r\nX-Long: ");
        byte[] filler = ascii("a".repeat(1400));
        Path f = Captures.write(tmp.resolve("huge.pcap"), out -> {
            Flow flow = new Flow(out, C, 40006, S, 80, 1, 1).handshake(T);
            flow.send(true, start, T + 1);
            for (int i = 0; i < 400; i++) flow.send(true, filler, T + 10 + i);
        });
        DissectionEngine engine = DissectionEngine.builder().options(DissectionOptions.defaults().withBuffers(64 * 1024, 1 << 20)).build();
        Captures.Result r = Captures.dissect(engine, f);
        assertThat(r.stats().damage("tcp_buffer_limit") + r.stats().counter("http_malformed")).isPositive();
        assertThat(r.stats().packets()).isEqualTo(3 + 2 + 400 * 2); // each send: a segment and its ACK
    }

    @Test
    void aClosedConnectionLingersWithoutItsParser() throws IOException, InterruptedException {
        // A closed connection stays in the table for the linger (late retransmissions and ACKs),
        // which at a high rate of short connections is tens of thousands of them: what a parser
        // holds must go when its connection closes, not when the linger ends.
        List<java.lang.ref.WeakReference<Object>> parsers = new ArrayList<>();
        TcpProtocol ping = new TcpProtocol() {
            @Override public String name() { return "ping"; }
            @Override public Detection detect(ByteBuffer data, int port) { return Detection.CLIENT; }
            @Override public TcpParser newParser(TcpContext context) {
                TcpParser p = new TcpParser() {
                    final byte[] state = new byte[64 * 1024];
                    @Override public int onData(Direction d, ByteBuffer data, long ts) { state[0]++; return data.remaining(); }
                    @Override public void onGap(Direction d, long length, long ts) { }
                    @Override public void onClose(long ts) { }
                };
                parsers.add(new java.lang.ref.WeakReference<>(p));
                return p;
            }
        };
        Path f = Captures.write(tmp.resolve("short.pcap"), out -> {
            for (int i = 0; i < 3; i++) {
                Flow flow = new Flow(out, C, 41000 + i, S, 7000, 1000, 5000).handshake(T + i * 1_000_000L);
                flow.send(true, ascii("ping"), T + i * 1_000_000L + 10_000);
                flow.fin(T + i * 1_000_000L + 20_000);
            }
        });
        DissectionEngine engine = DissectionEngine.builder().registry(ProtocolRegistry.builder().tcp(ping).build()).build();
        EngineSession d = engine.newSession("n", e -> {});
        d.feed(PcapSource.file(f)); // all three closed, all within the linger: still in the table
        for (int i = 0; i < 20 && parsers.stream().anyMatch(r -> r.get() != null); i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertThat(parsers).hasSize(3).allMatch(r -> r.get() == null);
        d.finish();
    }

    @Test
    void idsAreTheSameOnEveryRunAndDifferBetweenCalls() throws IOException {
        Path f = SharedCaptures.path("zeek/pipelined-requests.pcap");
        List<String> first = Captures.dissect(f).entries().stream().map(Entry::id).toList();
        List<String> second = Captures.dissect(f).entries().stream().map(Entry::id).toList();
        assertThat(first).hasSize(5).doesNotHaveDuplicates().isEqualTo(second);
        assertThat(first).allMatch(id -> id.matches("[0-9a-f]{32}"));
    }

    @Test
    void cancellingStopsAtAPacketBoundaryWithoutFurtherEntries() throws IOException {
        Path f = SharedCaptures.path("zeek/echo-connections.pcap");
        List<Entry> entries = new ArrayList<>();
        DissectionStats s = DissectionEngine.standard().dissect("n", List.of(PcapSource.file(f)), entries::add,
                ProgressListener.NONE, () -> true);
        assertThat(s.cancelled()).isTrue();
        assertThat(s.packets()).isLessThan(82582).isPositive();
        assertThat(entries).isEmpty();
    }

    @Test
    void progressIsReportedPerSource() throws IOException {
        List<DissectionProgress> seen = new ArrayList<>();
        Path a = SharedCaptures.path("zeek/get.pcap");
        Path b = SharedCaptures.path("zeek/pipelined-requests.pcap");
        DissectionStats s = DissectionEngine.standard().dissect("n", List.of(PcapSource.file(a), PcapSource.file(b)), e -> {}, seen::add, () -> false);
        assertThat(seen).hasSizeGreaterThanOrEqualTo(2);
        assertThat(seen.getLast().sourceIndex()).isEqualTo(2);
        assertThat(seen.getLast().sourceCount()).isEqualTo(2);
        assertThat(seen.getLast().bytesDone()).isEqualTo(s.bytes());
        assertThat(s.pcapFiles()).isEqualTo(2);
        assertThat(s.entries()).isEqualTo(6);
    }
}
