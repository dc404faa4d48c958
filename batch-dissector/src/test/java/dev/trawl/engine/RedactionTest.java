package dev.trawl.engine;

import dev.trawl.engine.TestPackets.Flow;
import dev.trawl.engine.cli.DissectCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.trawl.engine.TestPackets.ascii;
import static dev.trawl.engine.TestPackets.ip;
import static org.assertj.core.api.Assertions.assertThat;

/** Secrets in a capture never reach an entry unless redaction is turned off. */
class RedactionTest {
    static final long T = 1_700_000_000_000_000_000L;
    static final int C = ip(10, 0, 0, 1), S = ip(10, 0, 0, 2), R = ip(10, 0, 0, 3);
    static final List<String> SECRETS = List.of("eyJhbGciOiJIUzI1NiJ9.c2VjcmV0", "s3ss10n-cookie", "hunter2-json",
            "refresh-abc123", "form-pass-42", "url-pass-99", "query-token-77", "set-cookie-secret", "redis-auth-pw", "key-1234");
    static final byte[] KEY = "a key for this test only".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    @Test
    void secretsAreMaskedWithTheirShapeAndAKeyedHashPrefix() throws IOException {
        List<Entry> entries = dissect(capture(), Redaction.withKey(KEY));
        String all = JsonMapper.builder().build().writeValueAsString(entries.stream().map(Entry::columns).toList());
        for (String secret : SECRETS) assertThat(all).as(secret).doesNotContain(secret);

        Entry login = entries.stream().filter(e -> e.path().startsWith("/login")).findFirst().orElseThrow();
        Redaction r = Redaction.withKey(KEY);
        assertThat(login.requestHeaders().get("Authorization")).isEqualTo("Bearer " + r.mask(SECRETS.get(0)))
                .matches("Bearer \\*\\*\\*\\*#[0-9a-f]{6}");
        assertThat(login.requestHeaders().get("Cookie")).isEqualTo("theme=" + r.mask("dark") + "; sid=" + r.mask(SECRETS.get(1)));
        assertThat(login.requestHeaders().get("X-Api-Key")).isEqualTo(r.mask(SECRETS.get(9)));
        assertThat(login.requestHeaders().get("Host")).isEqualTo("shop");
        assertThat(login.requestBody()).isEqualTo("{\"user\":\"ada\",\"password\":\"" + r.mask("hunter2-json")
                + "\",\"nested\":{\"refresh_token\":\"" + r.mask("refresh-abc123") + "\",\"count\":3}}");
        assertThat(login.path()).isEqualTo("/login?next=%2Fhome&access_token=" + r.mask("query-token-77"));
        assertThat(login.summary()).contains(login.path());
        assertThat(login.responseHeaders().get("Set-Cookie")).isEqualTo("sid=" + r.mask(SECRETS.get(7)) + "; Path=/; HttpOnly");

        Entry form = entries.stream().filter(e -> e.path().equals("/form")).findFirst().orElseThrow();
        assertThat(form.requestBody()).isEqualTo("user=ada&password=" + r.mask("form-pass-42") + "&remember=1");
        // the same token in two calls gives the same mask, so the calls can be matched
        assertThat(form.requestHeaders().get("Authorization")).isEqualTo(login.requestHeaders().get("Authorization"));

        Entry proxy = entries.stream().filter(e -> e.path().startsWith("http://")).findFirst().orElseThrow();
        assertThat(proxy.path()).isEqualTo("http://ada:" + r.mask("url-pass-99") + "@internal/report");

        Entry auth = entries.stream().filter(e -> e.method().equals("AUTH")).findFirst().orElseThrow();
        assertThat(auth.fields().get("redis_args")).isEqualTo("default " + r.mask("redis-auth-pw"));
        assertThat(entries.stream().filter(e -> e.method().equals("GET") && e.protocol().equals("redis")).findFirst()
                .orElseThrow().fields().get("redis_key")).isEqualTo("cart:1");
    }

    @Test
    void anotherKeyGivesAnotherMaskAndNoneKeepsTheValues() throws IOException {
        Path capture = capture();
        String a = dissect(capture, Redaction.withKey(KEY)).getFirst().requestHeaders().get("Authorization");
        String b = dissect(capture, Redaction.withKey("another key".getBytes(StandardCharsets.UTF_8))).getFirst()
                .requestHeaders().get("Authorization");
        assertThat(a).isNotEqualTo(b).startsWith("Bearer ****#");
        String plain = dissect(capture, Redaction.none()).getFirst().requestHeaders().get("Authorization");
        assertThat(plain).isEqualTo("Bearer " + SECRETS.get(0));
    }

    @Test
    void settingsTurnItOffAddNamesAndKeepTheKeyInAnOwnerOnlyFile() throws IOException {
        Path keyFile = tmp.resolve("conf/redact.key");
        Map<String, String> env = Map.of("TRAWL_REDACT_KEY_FILE", keyFile.toString(), "TRAWL_REDACT_FIELDS", "pin");
        Redaction r = Redaction.fromSettings(env::get);
        assertThat(Files.getPosixFilePermissions(keyFile)).extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        assertThat(Redaction.fromSettings(env::get).mask("x")).isEqualTo(r.mask("x")); // the same install, the same key
        assertThat(r.json("{\"pin\":1234,\"password\":\"p\"}")).doesNotContain("1234").doesNotContain("\"p\"");
        assertThat(Redaction.fromSettings(Map.of("TRAWL_REDACT", "false")::get).enabled()).isFalse();
    }

    @Test
    void trawlDissectRedactsUnlessToldNot() throws IOException {
        Path capture = capture();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(DissectCommand.run(new String[] {capture.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8), err)).isZero();
        for (String secret : SECRETS) assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain(secret);
        out.reset();
        assertThat(DissectCommand.run(new String[] {"--no-redact", capture.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8), err)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(SECRETS.get(0), "hunter2-json", "redis-auth-pw");
    }

    private static List<Entry> dissect(Path capture, Redaction redaction) throws IOException {
        List<Entry> entries = new ArrayList<>();
        DissectionEngine.builder().redaction(redaction).build().dissect("n", List.of(PcapSource.file(capture)), entries::add);
        return entries;
    }

    private Path capture() throws IOException {
        String bearer = "Authorization: Bearer " + SECRETS.get(0) + "\r\n";
        String json = "{\"user\":\"ada\",\"password\":\"hunter2-json\",\"nested\":{\"refresh_token\":\"refresh-abc123\",\"count\":3}}";
        String form = "user=ada&password=form-pass-42&remember=1";
        return Captures.write(tmp.resolve("secrets.pcap"), out -> {
            Flow web = new Flow(out, C, 40100, S, 80, 1, 1).handshake(T);
            web.send(true, ascii("POST /login?next=%2Fhome&access_token=query-token-77 HTTP/1.1\r\nHost: shop\r\n" + bearer
                    + "Cookie: theme=dark; sid=s3ss10n-cookie\r\nX-Api-Key: key-1234\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + json.length() + "\r\n\r\n" + json), T + 1_000_000);
            web.send(false, ascii("HTTP/1.1 200 OK\r\nSet-Cookie: sid=set-cookie-secret; Path=/; HttpOnly\r\nContent-Length: 2\r\n\r\nok"),
                    T + 2_000_000);
            web.send(true, ascii("POST /form HTTP/1.1\r\nHost: shop\r\n" + bearer + "Content-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: " + form.length() + "\r\n\r\n" + form), T + 3_000_000);
            web.send(false, ascii("HTTP/1.1 204 No Content\r\n\r\n"), T + 4_000_000);
            web.send(true, ascii("GET http://ada:url-pass-99@internal/report HTTP/1.1\r\nHost: internal\r\n\r\n"), T + 5_000_000);
            web.send(false, ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), T + 6_000_000);
            web.fin(T + 7_000_000);
            Flow redis = new Flow(out, C, 40200, R, 6379, 1, 1).handshake(T + 10_000_000);
            redis.send(true, ascii("*3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n$13\r\nredis-auth-pw\r\n"), T + 11_000_000);
            redis.send(false, ascii("+OK\r\n"), T + 12_000_000);
            redis.send(true, ascii("*2\r\n$3\r\nGET\r\n$6\r\ncart:1\r\n"), T + 13_000_000);
            redis.send(false, ascii("$-1\r\n"), T + 14_000_000);
            redis.fin(T + 15_000_000);
        });
    }
}
