package dev.trawl.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.engine.testing.CapturedSegments;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RedisDecoderTest {

    private static List<RedisExchange> dissect(String capture, boolean byteByByte) {
        List<RedisExchange> out = new ArrayList<>();
        CapturedSegments.decodeEach(capture, 6379, byteByByte, connection -> new RedisDecoder(256, out::add),
                c -> assertThat(c.broken()).isFalse());
        return out;
    }

    private static List<RedisExchange> dissect(String... wire) {
        List<RedisExchange> out = new ArrayList<>();
        RedisDecoder c = new RedisDecoder(256, out::add);
        boolean client = true;
        for (String w : wire) {
            c.onData(client, ByteBuffer.wrap(w.getBytes(StandardCharsets.UTF_8)), 1);
            client = !client;
        }
        c.close();
        return out;
    }

    @Test
    void pairsCommandsWithRepliesOnEveryConnection() {
        // tshark: GET user_conf_config_1 x6, EXISTS verify_code x3, GET "1 1 http://..." whose
        // 490493-byte reply the capture cuts short
        List<RedisExchange> calls = dissect("deepflow/redis.pcap", false);
        assertThat(calls).extracting(RedisExchange::command).filteredOn("GET"::equals).hasSize(7);
        assertThat(calls).extracting(RedisExchange::command).filteredOn("EXISTS"::equals).hasSize(3);
        assertThat(calls).hasSize(10).filteredOn(RedisExchange::answered).hasSize(9);
        RedisExchange exists = calls.stream().filter(e -> e.command().equals("EXISTS")).findFirst().orElseThrow();
        assertThat(exists.key()).isEqualTo("verify_code");
        assertThat(exists.reply().type()).isEqualTo(':');
        assertThat(exists.reply().text()).isEqualTo("1");
        RedisExchange big = calls.stream().filter(e -> e.key().startsWith("1 1 http")).findFirst().orElseThrow();
        assertThat(big.answered()).isFalse();
        RedisExchange get = calls.getFirst();
        assertThat(get.reply().size()).isEqualTo(1107);
        assertThat(get.reply().text()).hasSize(256).startsWith("{\"sso\": {\"sso_link\"");
        assertThat(get.responseSize()).isEqualTo(1107 + "$1107\r\n\r\n".length());
    }

    @Test
    void packetBoundariesDoNotMatter() {
        List<RedisExchange> whole = dissect("mercury/redis.pcap", false);
        List<RedisExchange> bytes = dissect("mercury/redis.pcap", true);
        assertThat(bytes).extracting(RedisExchange::command).isEqualTo(whole.stream().map(RedisExchange::command).toList());
        assertThat(bytes).extracting(RedisExchange::responseSize)
                .isEqualTo(whole.stream().map(RedisExchange::responseSize).toList());
        // tshark: COMMAND DOCS, AUTH testuser password12 (refused), AUTH testuser password123, SET mykey hello, get mykey
        assertThat(whole).extracting(RedisExchange::command).containsExactly("COMMAND", "AUTH", "AUTH", "SET", "GET");
        assertThat(whole.get(1).reply().isError()).isTrue();
        assertThat(whole.get(1).reply().text()).startsWith("WRONGPASS");
        assertThat(whole.get(2).reply().text()).isEqualTo("OK");
        assertThat(whole.get(0).reply().summary()).isEqualTo("array of 534");
        assertThat(whole.get(3).key()).isEqualTo("mykey");
        assertThat(whole.get(4).reply().text()).isEqualTo("hello");
    }

    @Test
    void largeValuesAreCutNotBuffered() {
        // zeek: SET FIVE_HUNDRED_X <500 x>, SET THOUSAND_X <1000 x>, then GETs
        List<RedisExchange> calls = dissect("zeek/large-requests-responses.pcap", false);
        RedisExchange get = calls.stream().filter(e -> e.key().equals("THOUSAND_X") && e.command().equals("GET"))
                .findFirst().orElseThrow();
        assertThat(get.reply().size()).isEqualTo(1000);
        assertThat(get.reply().text()).hasSize(256);
        RedisExchange set = calls.stream().filter(e -> e.key().equals("THOUSAND_X") && e.command().equals("SET"))
                .findFirst().orElseThrow();
        assertThat(set.requestSize()).isGreaterThan(1000);
        assertThat(set.args().get(1)).hasSize(256);
    }

    @Test
    void pipelinedCommandsPairInOrder() {
        List<RedisExchange> calls = dissect("*2\r\n$3\r\nGET\r\n$1\r\na\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n1\r\nPING\r\n",
                "$-1\r\n+OK\r\n+PONG\r\n");
        assertThat(calls).extracting(RedisExchange::command).containsExactly("GET", "SET", "PING");
        assertThat(calls).extracting(e -> e.reply().summary()).containsExactly("(nil)", "OK", "PONG");
        assertThat(calls).extracting(RedisExchange::key).containsExactly("a", "b", "");
    }

    @Test
    void pubSubMessagesAreNotReplies() {
        List<RedisExchange> calls = dissect(
                "*3\r\n$9\r\nSUBSCRIBE\r\n$2\r\nc1\r\n$2\r\nc2\r\n",
                "*3\r\n$9\r\nsubscribe\r\n$2\r\nc1\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$2\r\nc2\r\n:2\r\n"
                        + "*3\r\n$7\r\nmessage\r\n$2\r\nc2\r\n$2\r\nhi\r\n",
                "PING\r\n",
                // RESP3: an attribute, then a push, then the reply
                "|1\r\n+ttl\r\n:3\r\n>3\r\n$7\r\nmessage\r\n$2\r\nc1\r\n$3\r\nyo!\r\n+PONG\r\n");
        assertThat(calls).extracting(RedisExchange::command).containsExactly("SUBSCRIBE", "message", "message", "PING");
        assertThat(calls.get(0).answered()).isTrue();
        assertThat(calls.get(1).push()).isTrue();
        assertThat(calls.get(1).key()).isEqualTo("c2");
        assertThat(calls.get(2).reply().element(2)).isEqualTo("yo!");
        assertThat(calls.get(3).reply().text()).isEqualTo("PONG");
    }

    @Test
    void readsResp3Types() {
        List<RedisExchange> calls = dissect("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n",
                "%2\r\n+server\r\n+redis\r\n+proto\r\n:3\r\n");
        assertThat(calls.getFirst().reply().summary()).isEqualTo("map of 2");
        List<RedisExchange> more = dissect("*1\r\n$4\r\nTIME\r\n*1\r\n$1\r\nX\r\n*1\r\n$1\r\nY\r\n*1\r\n$1\r\nZ\r\n",
                ",3.14\r\n#t\r\n!9\r\nERR nope!\r\n=8\r\ntxt:abcd\r\n");
        assertThat(more).extracting(e -> e.reply().text()).containsExactly("3.14", "true", "ERR nope!", "abcd");
        assertThat(more.get(2).reply().isError()).isTrue();
    }

    @Test
    void detectsCommandsByContent() {
        assertThat(looks("*2\r\n$3\r\nGET\r\n")).isEqualTo(RedisDecoder.Looks.COMMAND);
        assertThat(looks("*2\r")).isEqualTo(RedisDecoder.Looks.MAYBE);
        assertThat(looks("PING\r\n")).isEqualTo(RedisDecoder.Looks.COMMAND);
        assertThat(looks("GET mykey\r\n")).isEqualTo(RedisDecoder.Looks.COMMAND);
        assertThat(looks("GET /ind")).isEqualTo(RedisDecoder.Looks.MAYBE);
        assertThat(looks("GET / HTTP/1.1\r\n")).isEqualTo(RedisDecoder.Looks.NO);
        assertThat(looks("POST / HTTP/1.1\r\n")).isEqualTo(RedisDecoder.Looks.NO);
        assertThat(looks("*-53245001789559092\r\n$$$")).isEqualTo(RedisDecoder.Looks.NO);
        assertThat(RedisDecoder.looksLikeCommand(ByteBuffer.wrap(new byte[] {0x16, 3, 1, 0, 5})))
                .isEqualTo(RedisDecoder.Looks.NO);
    }

    private static RedisDecoder.Looks looks(String s) {
        return RedisDecoder.looksLikeCommand(ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void garbageNeverThrowsAndHugeLengthsAllocateNothing() {
        dissect("*99999999999\r\n$99999999999\r\nabc", "$2147483647\r\nxx");
        Random r = new Random(3);
        for (int i = 0; i < 300; i++) {
            byte[] junk = new byte[r.nextInt(3000)];
            r.nextBytes(junk);
            if (i % 2 == 0 && junk.length > 0) {
                junk[0] = (byte) "*$%>|~+-:".charAt(r.nextInt(9));
            }
            RedisDecoder c = new RedisDecoder(64, e -> { });
            c.onData(true, ByteBuffer.wrap(junk), 1);
            c.onData(false, ByteBuffer.wrap(junk), 2);
            c.close();
        }
    }

    @Test
    void resynchronisesAfterAGap() {
        List<RedisExchange> calls = new ArrayList<>();
        RedisDecoder c = new RedisDecoder(256, calls::add);
        c.onData(true, ByteBuffer.wrap("*2\r\n$3\r\nGET\r\n$5\r\nab".getBytes()), 1);
        c.gap(true);
        c.onData(true, ByteBuffer.wrap("xyz\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".getBytes()), 2);
        c.onData(false, ByteBuffer.wrap("$1\r\nv\r\n".getBytes()), 3);
        c.close();
        assertThat(calls).extracting(RedisExchange::key).containsExactly("k");
        assertThat(calls.getFirst().reply().text()).isEqualTo("v");
    }
}
