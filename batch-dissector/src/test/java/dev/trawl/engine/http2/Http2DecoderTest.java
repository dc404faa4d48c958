package dev.trawl.engine.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.engine.testing.CapturedSegments;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Http2DecoderTest {

    private static List<Http2Exchange> dissect(String capture, int serverPort, boolean byteByByte) {
        List<Http2Exchange> out = new ArrayList<>();
        Http2Decoder c = new Http2Decoder(4096, out::add);
        var segments = CapturedSegments.read(capture, serverPort);
        if (byteByByte) {
            CapturedSegments.feedByteByByte(segments, c::onData);
        } else {
            CapturedSegments.feed(segments, c::onData);
        }
        c.close();
        return out;
    }

    @Test
    void readsRequestsAndResponsesOfManyStreamsSharingOneDynamicTable() {
        // tshark -d tcp.port==56508,http2: six GETs of nghttp2 on streams 1,3,5,7,9,11
        List<Http2Exchange> calls = dissect("suricata-verify/http2-keywords__input.pcap", 3000, false);
        assertThat(calls).extracting(Http2Exchange::streamId).contains(1, 3, 5, 7, 9, 11);
        Http2Exchange first = calls.stream().filter(e -> e.streamId() == 1).findFirst().orElseThrow();
        assertThat(first.requestHeader(":method")).isEqualTo("GET");
        assertThat(first.requestHeader(":path")).isEqualTo("/doc/manual/html/index.html");
        assertThat(first.requestHeader("user-agent")).isEqualTo("nghttp2/0.5.2-DEV");
        assertThat(first.responseHeader(":status")).isEqualTo("200");
        assertThat(first.responseHeader("content-length")).isEqualTo("22617");
        assertThat(first.responseSize()).isGreaterThan(22617);
        assertThat(first.responseBody()).hasSize(4096);
        Http2Exchange css = calls.stream().filter(e -> e.streamId() == 3).findFirst().orElseThrow();
        assertThat(css.requestHeader(":path")).isEqualTo("/doc/manual/html/_static/css/theme.css");
        assertThat(calls).allSatisfy(e -> assertThat(e.error()).isNull());
    }

    @Test
    void packetBoundariesDoNotMatter() {
        List<Http2Exchange> whole = dissect("suricata-verify/http2-keywords__input.pcap", 3000, false);
        List<Http2Exchange> bytes = dissect("suricata-verify/http2-keywords__input.pcap", 3000, true);
        assertThat(bytes).hasSameSizeAs(whole);
        for (int i = 0; i < whole.size(); i++) {
            assertThat(bytes.get(i).requestHeaders()).isEqualTo(whole.get(i).requestHeaders());
            assertThat(bytes.get(i).responseHeaders()).isEqualTo(whole.get(i).responseHeaders());
            assertThat(bytes.get(i).responseSize()).isEqualTo(whole.get(i).responseSize());
        }
    }

    @Test
    void readsAConnectionWhoseStartWasNotCaptured() {
        // nDPI/http2.pcapng begins after the preface: SETTINGS, then a POST on stream 3
        List<Http2Exchange> calls = dissect("nDPI/http2.pcapng", 29518, false);
        assertThat(calls).hasSize(1);
        Http2Exchange e = calls.getFirst();
        assertThat(e.streamId()).isEqualTo(3);
        assertThat(e.requestHeader(":path")).isEqualTo("/namf-comm/v1/subscriptions");
        assertThat(e.requestHeader(":method")).isEqualTo("POST");
        assertThat(e.responseHeader(":status")).isEqualTo("201");
        assertThat(e.responseHeader("location")).isEqualTo("http://127.0.0.1:29507/npcf-callback/v1/amfstatus/1");
        assertThat(e.requestBody()).hasSize(135);
        assertThat(e.responseBody()).hasSize(86);
        assertThat(e.responseMicros()).isGreaterThan(e.requestMicros());
    }

    @Test
    void garbageNeverThrowsAndIsReportedAsErrors() {
        Random r = new Random(7);
        for (int round = 0; round < 200; round++) {
            Http2Decoder c = new Http2Decoder(1024, e -> { });
            byte[] junk = new byte[r.nextInt(2000)];
            r.nextBytes(junk);
            if (round % 2 == 0 && junk.length > 24) {
                System.arraycopy(Http2Decoder.PREFACE, 0, junk, 0, 24);
            }
            ByteBuffer in = ByteBuffer.wrap(junk);
            c.onData(round % 3 != 0, in, 1);
            c.onData(round % 3 == 0, ByteBuffer.wrap(junk), 2);
            c.close();
        }
    }

    @Test
    void joinsHeaderBlocksSplitIntoContinuationFrames() {
        List<Http2Exchange> out = new ArrayList<>();
        Http2Decoder c = new Http2Decoder(1024, out::add);
        // RFC 7541 C.4.1's block (GET http://www.example.com/) cut in three: HEADERS + 2 CONTINUATION
        byte[] block = java.util.HexFormat.of().parseHex("828684418cf1e3c2e5f23a6ba0ab90f4ff");
        ByteBuffer client = ByteBuffer.allocate(200);
        client.put(Http2Decoder.PREFACE);
        frame(client, 1, 0x1, 1, block, 0, 5);        // HEADERS, END_STREAM, no END_HEADERS
        frame(client, 9, 0x0, 1, block, 5, 6);        // CONTINUATION
        frame(client, 9, 0x4, 1, block, 11, 6);       // CONTINUATION, END_HEADERS
        c.onData(true, client.flip(), 10);
        ByteBuffer server = ByteBuffer.allocate(64);
        frame(server, 1, 0x5, 1, new byte[] {(byte) 0x88}, 0, 1);   // :status 200, END_STREAM|END_HEADERS
        c.onData(false, server.flip(), 20);
        assertThat(out).hasSize(1);
        assertThat(out.getFirst().requestHeader(":authority")).isEqualTo("www.example.com");
        assertThat(out.getFirst().requestHeader(":path")).isEqualTo("/");
        assertThat(out.getFirst().responseHeader(":status")).isEqualTo("200");
        assertThat(out.getFirst().error()).isNull();
    }

    @Test
    void aFrameBetweenHeadersAndContinuationIsAnError() {
        List<Http2Exchange> out = new ArrayList<>();
        Http2Decoder c = new Http2Decoder(1024, out::add);
        byte[] block = java.util.HexFormat.of().parseHex("828684418cf1e3c2e5f23a6ba0ab90f4ff");
        ByteBuffer client = ByteBuffer.allocate(200);
        client.put(Http2Decoder.PREFACE);
        frame(client, 1, 0x1, 1, block, 0, 5);
        frame(client, 8, 0x0, 0, new byte[] {0, 0, 1, 0}, 0, 4);   // WINDOW_UPDATE where CONTINUATION must be
        c.onData(true, client.flip(), 10);
        c.close();
        assertThat(c.errors()).isPositive();
    }

    private static void frame(ByteBuffer out, int type, int flags, int stream, byte[] payload, int off, int len) {
        out.put((byte) (len >>> 16)).put((byte) (len >>> 8)).put((byte) len).put((byte) type).put((byte) flags)
                .putInt(stream).put(payload, off, len);
    }
}
