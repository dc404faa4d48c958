package dev.trawl.engine;

import dev.trawl.engine.TestPackets.Flow;
import dev.trawl.engine.testing.CapturedSegments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static dev.trawl.engine.TestPackets.ascii;
import static dev.trawl.engine.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests as attackers, scanners and broken clients send them: each in its own connection of a
 * capture the test writes, answered as a server would (400 for what it refuses). Every request
 * on the wire must be an entry with what could be read and the defect named, and the count of
 * requests must be at least tshark's on the same file and at most 5% more.
 */
class MalformedHttpTest {
    static final long T = 1_700_000_000_000_000_000L;
    static final int C = ip(10, 0, 0, 1), S = ip(10, 0, 0, 2);
    static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    static final String BAD = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

    /** What the client sent, what the server answered, and what the first entry must say. */
    record Case(String request, String response, String method, String target, String version,
            String malformed, String smuggling) {}

    static final List<Case> CASES = List.of(
            new Case("GET /plain HTTP/1.1\r\nHost: a\r\n\r\n", OK, "GET", "/plain", "HTTP/1.1", null, null),
            new Case("get /lower HTTP/1.1\r\nHost: a\r\n\r\n", BAD, "get", "/lower", "HTTP/1.1", "lowercase_method", null),
            new Case("FROB /unknown HTTP/1.1\r\nHost: a\r\n\r\n", BAD, "FROB", "/unknown", "HTTP/1.1", "unknown_method", null),
            new Case("GET HTTP/1.1\r\nHost: a\r\n\r\n", BAD, "GET", "", "HTTP/1.1", "no_target", null),
            new Case("GET /cut HTTP/1.\r\nHost: a\r\n\r\n", BAD, "GET", "/cut", "HTTP/1.", "bad_version", null),
            new Case("GET /future HTTP/7.3\r\nHost: a\r\n\r\n", BAD, "GET", "/future", "HTTP/7.3", "bad_version", null),
            new Case("GET http://example.com/abs HTTP/1.1\r\nHost: example.com\r\n\r\n", OK, "GET",
                    "http://example.com/abs", "HTTP/1.1", null, null),
            new Case("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", OK, "OPTIONS", "*", "HTTP/1.1", null, null),
            new Case("GET * HTTP/1.1\r\nHost: a\r\n\r\n", BAD, "GET", "*", "HTTP/1.1", "asterisk_target", null),
            new Case("GET  /two-spaces  HTTP/1.1\r\nHost: a\r\n\r\n", OK, "GET", "/two-spaces", "HTTP/1.1", "stray_whitespace", null),
            new Case("GET\t/tab\tHTTP/1.1\r\nHost: a\r\n\r\n", OK, "GET", "/tab", "HTTP/1.1", "stray_whitespace", null),
            new Case("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", BAD, "GET", "/a b", "HTTP/1.1", "space_in_target", null),
            new Case("DELETE\r\nHost: a\r\n\r\n", BAD, "DELETE", "", "", "no_target,no_version", null),
            new Case("POST /badlen HTTP/1.1\r\nHost: a\r\nContent-Length: 12x\r\n\r\n", BAD, "POST", "/badlen", "HTTP/1.1",
                    "bad_content_length", null),
            new Case("POST /cl-te HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                    + "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n", OK + OK, "POST", "/cl-te", "HTTP/1.1", null,
                    "content_length_and_transfer_encoding"),
            new Case("POST /two-lengths HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc"
                    + "GET /after-abc HTTP/1.1\r\nHost: a\r\n\r\n", BAD, "POST", "/two-lengths", "HTTP/1.1", null,
                    "conflicting_content_length"),
            new Case("POST /overflow HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "10000000000000000000a\r\nxyz\r\n0\r\n\r\n", BAD, "POST", "/overflow", "HTTP/1.1", null, "chunk_size_overflow"),
            new Case("GET /fold HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n", BAD, "GET", "/fold", "HTTP/1.1", null, "obs_fold"),
            new Case("POST /te-obfuscated HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\nContent-Length: 3\r\n\r\nabc",
                    BAD, "POST", "/te-obfuscated", "HTTP/1.1", null, "content_length_and_transfer_encoding,bad_transfer_encoding"),
            new Case("POST /gz HTTP/1.1\r\nHost: a\r\nContent-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello", BAD, "POST", "/gz",
                    "HTTP/1.1", "bad_content_encoding", null),
            new Case("POST /short HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly this", "", "POST", "/short", "HTTP/1.1",
                    "body_shorter_than_length", null));

    @TempDir
    Path tmp;

    @Test
    void everyRequestIsAnEntryWithItsDefectNamed() throws IOException {
        Path capture = write();
        Captures.Result r = Captures.dissect(capture);
        List<Entry> requests = r.protocol("http").stream().filter(e -> !e.fields().containsKey("request_missing")).toList();
        for (int i = 0; i < CASES.size(); i++) {
            Case c = CASES.get(i);
            int port = 41000 + i;
            Entry e = requests.stream().filter(x -> x.srcPort() == port).findFirst().orElseThrow(
                    () -> new AssertionError("no entry for " + c.request().lines().findFirst().orElse("")));
            assertThat(List.of(e.method(), e.path(), e.fields().getOrDefault("http_version", "")))
                    .as(c.request()).containsExactly(c.method(), c.target(), c.version());
            assertThat(e.fields().get("http_malformed")).as(c.request()).isEqualTo(c.malformed());
            assertThat(e.fields().get("http_smuggling")).as(c.request()).isEqualTo(c.smuggling());
        }
        // what follows a smuggling shape is read as the server read it
        assertThat(requests).extracting(Entry::path).contains("/smuggled", "/after-abc");
    }

    @Test
    void aHttp09RequestIsAnEntryAnsweredByTheBytesUntilClose() throws IOException {
        Path f = Captures.write(tmp.resolve("http09.pcap"), out -> {
            Flow flow = new Flow(out, C, 40900, S, 8080, 1, 1).handshake(T);
            flow.send(true, ascii("GET /very-old\r\n"), T + 1_000_000);
            flow.send(false, ascii("<html>hello</html>"), T + 2_000_000);
            flow.fin(T + 3_000_000);
        });
        Entry e = Captures.dissect(f).protocol("http").getFirst();
        assertThat(List.of(e.method(), e.path(), e.fields().get("http_version"))).containsExactly("GET", "/very-old", "HTTP/0.9");
        assertThat(e.responseBody()).isEqualTo("<html>hello</html>");
        assertThat(e.answered()).isTrue();
    }

    /** Requests tshark 4.0 does not show as HTTP requests at all, by the path they ask for, and why. */
    static final Map<String, String> TSHARK_SEES_NONE = Map.of(
            "/lower", "its method list is upper case",
            "/unknown", "a method not in its list makes the line data",
            "/tab", "it splits the request line on spaces only",
            "/two-lengths", "it takes the last Content-Length, so the request waits for 40 bytes that never come",
            "/short", "the body never completes, so the request is never shown");

    @Test
    void asManyRequestsAsTsharkAndAtMostFivePercentMore() throws IOException {
        Path capture = write();
        Map<Integer, Long> tshark = new HashMap<>();
        for (String line : CapturedSegments.tshark(capture.toString(), "-d", "tcp.port==8080,http", "-Y", "http.request",
                "-T", "fields", "-e", "tcp.srcport", "-e", "http.request.method")) {
            String[] f = line.split("\t");
            tshark.merge(Integer.parseInt(f[0]), (long) f[1].split(",").length, Long::sum);
        }
        Map<Integer, Long> mine = Captures.dissect(capture).protocol("http").stream()
                .filter(e -> !e.fields().containsKey("request_missing"))
                .collect(Collectors.groupingBy(Entry::srcPort, Collectors.counting()));
        long theirs = 0, ours = 0;
        for (int i = 0; i < CASES.size(); i++) {
            int port = 41000 + i;
            String path = CASES.get(i).target();
            long t = tshark.getOrDefault(port, 0L), m = mine.getOrDefault(port, 0L);
            assertThat(m).as(CASES.get(i).request()).isGreaterThanOrEqualTo(Math.max(t, 1));
            if (t == 0) {
                assertThat(TSHARK_SEES_NONE).as("tshark reads no request in " + CASES.get(i).request()).containsKey(path);
            } else {
                theirs += t;
                ours += m;
            }
        }
        assertThat(theirs).isPositive();
        assertThat(ours).isGreaterThanOrEqualTo(theirs).isLessThanOrEqualTo(Math.round(theirs * 1.05));
    }

    private Path write() throws IOException {
        return Captures.write(tmp.resolve("malformed.pcap"), out -> {
            long t = T;
            for (int i = 0; i < CASES.size(); i++) {
                Case c = CASES.get(i);
                Flow flow = new Flow(out, C, 41000 + i, S, 8080, 1000 * i, 5000 * i).handshake(t);
                flow.send(true, ascii(c.request()), t + 10_000);
                if (!c.response().isEmpty()) flow.send(false, ascii(c.response()), t + 20_000);
                flow.fin(t + 30_000);
                t += 1_000_000;
            }
        });
    }
}
