package dev.trawl.engine.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.DissectionStats;
import dev.trawl.engine.Entry;
import dev.trawl.engine.PcapSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connections whose start was not captured (no TCP handshake, no protocol handshake), on ports
 * that mislead (the server's is the high, ephemeral-looking one), beginning with keep-alives:
 * each protocol picks them up from their bytes, from whichever side speaks first, with the
 * client and server told apart by the messages. And traffic of other protocols is not claimed.
 */
class MidStreamDetectionTest {
    private static final int CLIENT_PORT = 1234;
    private static final int SERVER_PORT = 50_000;

    @TempDir
    Path dir;

    /** One side's message of a conversation. */
    private record Message(boolean fromClient, byte[] bytes) {}

    @Test
    void mysqlPoolStartingWithPings() throws IOException {
        byte[] ping = {1, 0, 0, 0, 0x0e};
        byte[] ok = {7, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0};
        List<Message> talk = keepAlives(ping, ok, 3);
        talk.add(new Message(true, mysqlPacket(0, concat(new byte[] {3}, ascii("DELETE FROM sessions")))));
        talk.add(new Message(false, new byte[] {7, 0, 0, 1, 0, 5, 0, 2, 0, 0, 0}));
        for (List<Message> conversation : bothOpenings(talk, ok)) {
            List<Entry> calls = dissect(conversation, "mysql");
            assertThat(calls).extracting(Entry::method).containsExactly("PING", "PING", "PING", "DELETE");
            assertThat(calls.getLast().path()).isEqualTo("DELETE FROM sessions");
            assertServerSide(calls);
        }
    }

    @Test
    void postgresqlPoolStartingWithSyncs() throws IOException {
        byte[] sync = {'S', 0, 0, 0, 4};
        byte[] ready = {'Z', 0, 0, 0, 5, 'I'};
        List<Message> talk = keepAlives(sync, ready, 3);
        talk.add(new Message(true, pg('Q', cstring("SELECT 1"))));
        talk.add(new Message(false, concat(
                pg('T', concat(new byte[] {0, 1}, cstring("?column?"), new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 23, 0, 4, -1, -1, -1, -1, 0, 0})),
                pg('D', new byte[] {0, 1, 0, 0, 0, 1, '1'}),
                pg('C', cstring("SELECT 1")),
                ready)));
        for (List<Message> conversation : bothOpenings(talk, ready)) {
            List<Entry> calls = dissect(conversation, "postgresql");
            assertThat(calls).extracting(Entry::method, Entry::path).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("SELECT", "SELECT 1"));
            assertThat(calls.getFirst().fields()).containsEntry("pg_rows", "1");
            assertServerSide(calls);
        }
    }

    @Test
    void amqpConnectionStartingWithHeartbeats() throws IOException {
        byte[] heartbeat = {8, 0, 0, 0, 0, 0, 0, (byte) 0xCE};
        List<Message> talk = keepAlives(heartbeat, heartbeat, 2);
        // queue.declare "jobs" (reserved, name, flags, no arguments) and its declare-ok
        talk.add(new Message(true, amqpMethod(50, 10, concat(new byte[] {0, 0}, shortstr("jobs"), new byte[] {2, 0, 0, 0, 0}))));
        talk.add(new Message(false, amqpMethod(50, 11, concat(shortstr("jobs"), new byte[] {0, 0, 0, 7, 0, 0, 0, 1}))));
        for (List<Message> conversation : bothOpenings(talk, heartbeat)) {
            List<Entry> calls = dissect(conversation, "amqp");
            assertThat(calls).extracting(Entry::method, Entry::path).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("queue.declare", "jobs"));
            assertThat(calls.getFirst().answered()).isTrue();
            assertServerSide(calls);
        }
    }

    @Test
    void kafkaConnectionStartingWithMetadataRequests() throws IOException {
        List<Message> talk = new ArrayList<>();
        for (int correlation = 7; correlation < 10; correlation++) {
            // Metadata v1 for all topics (null array), and an answer with no brokers and no topics
            talk.add(new Message(true, sized(ByteBuffer.allocate(17).putShort((short) 3).putShort((short) 1).putInt(correlation)
                    .putShort((short) 3).put(ascii("app")).putInt(-1).array(), 17)));
            talk.add(new Message(false, sized(ByteBuffer.allocate(16).putInt(correlation).putInt(0).putInt(1).putInt(0).array(), 16)));
        }
        byte[] lateAnswer = sized(ByteBuffer.allocate(16).putInt(6).putInt(0).putInt(1).putInt(0).array(), 16);
        for (List<Message> conversation : bothOpenings(talk, lateAnswer)) {
            // the server's first answer, to a request not captured, is an entry of its own
            List<Entry> calls = dissect(conversation, "kafka").stream().filter(e -> !e.method().isEmpty()).toList();
            assertThat(calls).extracting(Entry::method).containsExactly("Metadata", "Metadata", "Metadata");
            assertThat(calls).allMatch(Entry::answered);
            assertServerSide(calls);
        }
    }

    @Test
    void redisConnectionStartingWithPings() throws IOException {
        byte[] pong = ascii("+PONG\r\n");
        List<Message> talk = keepAlives(ascii("*1\r\n$4\r\nPING\r\n"), pong, 3);
        talk.add(new Message(true, ascii("*2\r\n$3\r\nGET\r\n$7\r\nsession\r\n")));
        talk.add(new Message(false, ascii("$2\r\nv1\r\n")));
        for (List<Message> conversation : bothOpenings(talk, pong)) {
            // the server's first answer, to a command not captured, is an entry of its own
            List<Entry> calls = dissect(conversation, "redis").stream().filter(e -> !e.method().isEmpty()).toList();
            assertThat(calls).extracting(Entry::method).containsExactly("PING", "PING", "PING", "GET");
            assertThat(calls.getLast().responseBody()).isEqualTo("v1");
            assertServerSide(calls);
        }
    }

    @Test
    void mongodbConnectionStartingWithPings() throws IOException {
        List<Message> talk = new ArrayList<>();
        for (int id = 100; id < 103; id++) {
            talk.add(new Message(true, opMsg(id, 0, bson(int32("ping", 1), string("$db", "admin")))));
            talk.add(new Message(false, opMsg(900 + id, id, bson(float64("ok", 1)))));
        }
        talk.add(new Message(true, opMsg(103, 0, bson(string("find", "users"), string("$db", "app")))));
        talk.add(new Message(false, opMsg(1003, 103, bson(float64("ok", 1)))));
        byte[] lateReply = opMsg(999, 99, bson(float64("ok", 1)));
        for (List<Message> conversation : bothOpenings(talk, lateReply)) {
            List<Entry> calls = dissect(conversation, "mongodb").stream()
                    .filter(e -> !"true".equals(e.fields().get("request_missing"))).toList();
            assertThat(calls).extracting(Entry::method).containsExactly("ping", "ping", "ping", "find");
            assertThat(calls.getLast().path()).isEqualTo("app.users");
            assertServerSide(calls);
        }
    }

    @Test
    void http2ConnectionStartingWithPings() throws IOException {
        byte[] ping = h2Frame(6, 0, 0, new byte[8]);
        byte[] pingAck = h2Frame(6, 1, 0, new byte[8]);
        List<Message> talk = keepAlives(ping, pingAck, 3);
        // GET / on stream 3: indexed :method GET, :scheme http, :path /, and :authority "api"
        talk.add(new Message(true, h2Frame(1, 0x5, 3, concat(new byte[] {(byte) 0x82, (byte) 0x86, (byte) 0x84, 0x41, 3}, ascii("api")))));
        talk.add(new Message(false, h2Frame(1, 0x5, 3, new byte[] {(byte) 0x88})));
        for (List<Message> conversation : bothOpenings(talk, pingAck)) {
            List<Entry> calls = dissect(conversation, "http2");
            assertThat(calls).extracting(Entry::method, Entry::path, Entry::status).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("GET", "/", 200));
            assertServerSide(calls);
        }
    }

    @Test
    void otherTrafficIsNotClaimed() throws IOException {
        Random random = new Random(16);
        List<List<Message>> others = new ArrayList<>();
        others.add(randomMessages(random, 1400));  // random bytes both ways, in segments of every size
        others.add(randomMessages(random, 16));    // small random messages, as keep-alives are
        // a length-prefixed binary protocol (SSH's packets after key exchange look like this)
        List<Message> framed = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            byte[] body = new byte[4 + random.nextInt(60)];
            random.nextBytes(body);
            framed.add(new Message(i % 2 == 0, sized(body, body.length)));
        }
        others.add(framed);
        // text protocols: SMTP and POP3 (whose "+OK ..." and "-ERR ..." lines start like RESP)
        List<Message> text = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            text.add(new Message(false, ascii("+OK " + i + " messages (" + (i * 320) + " octets)\r\n")));
            text.add(new Message(true, ascii("RETR " + i + "\r\n")));
            text.add(new Message(false, ascii("-ERR no such message, only " + i + " messages in maildrop\r\n")));
            text.add(new Message(true, ascii("MAIL FROM:<a" + i + "@example.org>\r\n")));
            text.add(new Message(false, ascii("250 2.1.0 Ok\r\n")));
        }
        others.add(text);
        for (List<Message> conversation : others) {
            Path file = write(conversation);
            List<Entry> entries = new ArrayList<>();
            DissectionStats stats = DissectionEngine.standard().dissect("test-node", List.of(PcapSource.file(file)), entries::add);
            assertThat(entries).as("entries from traffic of no known protocol").isEmpty();
            assertThat(stats.counters().keySet()).as("connections claimed").noneMatch(k -> k.endsWith("connections"));
        }
    }

    // ------------------------------------------------------------------ conversations

    /** 200 messages of random bytes, 1 to {@code largest} long, each side in turn. */
    private static List<Message> randomMessages(Random random, int largest) {
        List<Message> talk = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[1 + random.nextInt(largest)];
            random.nextBytes(b);
            talk.add(new Message(i % 2 == 0, b));
        }
        return talk;
    }

    /** {@code times} request and answer pairs. */
    private static List<Message> keepAlives(byte[] request, byte[] answer, int times) {
        List<Message> talk = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            talk.add(new Message(true, request));
            talk.add(new Message(false, answer));
        }
        return talk;
    }

    /** The conversation as captured from the client's next request, and from a late answer of the server's. */
    private static List<List<Message>> bothOpenings(List<Message> talk, byte[] lateAnswer) {
        List<Message> serverFirst = new ArrayList<>();
        serverFirst.add(new Message(false, lateAnswer));
        serverFirst.addAll(talk);
        return List.of(talk, serverFirst);
    }

    private Path write(List<Message> conversation) throws IOException {
        Path file = dir.resolve("conversation-" + System.nanoTime() + ".pcap");
        try (SyntheticTcp tcp = SyntheticTcp.midStream(file, CLIENT_PORT, SERVER_PORT)) {
            for (Message m : conversation) {
                tcp.send(m.fromClient(), m.bytes());
            }
        }
        return file;
    }

    private List<Entry> dissect(List<Message> conversation, String protocol) throws IOException {
        List<Entry> entries = new ArrayList<>();
        DissectionEngine.standard().dissect("test-node", List.of(PcapSource.file(write(conversation))), entries::add);
        return entries.stream().filter(e -> e.protocol().equals(protocol)).toList();
    }

    private static void assertServerSide(List<Entry> calls) {
        assertThat(calls).allSatisfy(e -> {
            assertThat(e.srcPort()).as("client port").isEqualTo(CLIENT_PORT);
            assertThat(e.dstPort()).as("server port").isEqualTo(SERVER_PORT);
        });
    }

    // ------------------------------------------------------------------ wire formats

    private static byte[] mysqlPacket(int sequence, byte[] payload) {
        return concat(new byte[] {(byte) payload.length, (byte) (payload.length >> 8), (byte) (payload.length >> 16), (byte) sequence}, payload);
    }

    private static byte[] pg(char type, byte[] body) {
        return concat(new byte[] {(byte) type}, ByteBuffer.allocate(4).putInt(4 + body.length).array(), body);
    }

    private static byte[] amqpMethod(int classId, int methodId, byte[] arguments) {
        byte[] payload = concat(ByteBuffer.allocate(4).putShort((short) classId).putShort((short) methodId).array(), arguments);
        return concat(new byte[] {1, 0, 1}, ByteBuffer.allocate(4).putInt(payload.length).array(), payload, new byte[] {(byte) 0xCE});
    }

    /** A Kafka message: its size, then the first {@code length} bytes of {@code body}. */
    private static byte[] sized(byte[] body, int length) {
        return concat(ByteBuffer.allocate(4).putInt(length).array(), java.util.Arrays.copyOf(body, length));
    }

    private static byte[] h2Frame(int type, int flags, int stream, byte[] payload) {
        return concat(new byte[] {(byte) (payload.length >> 16), (byte) (payload.length >> 8), (byte) payload.length,
                (byte) type, (byte) flags}, ByteBuffer.allocate(4).putInt(stream).array(), payload);
    }

    private static byte[] opMsg(int requestId, int responseTo, byte[] document) {
        byte[] body = concat(new byte[] {0, 0, 0, 0, 0}, document);  // flag bits, section kind 0
        return concat(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(16 + body.length).putInt(requestId)
                .putInt(responseTo).putInt(2013).array(), body);
    }

    private static byte[] bson(byte[]... elements) {
        byte[] all = concat(concat(elements), new byte[] {0});
        return concat(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(4 + all.length).array(), all);
    }

    private static byte[] int32(String name, int value) {
        return concat(new byte[] {0x10}, cstring(name), ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
    }

    private static byte[] float64(String name, double value) {
        return concat(new byte[] {0x01}, cstring(name), ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(value).array());
    }

    private static byte[] string(String name, String value) {
        byte[] v = cstring(value);
        return concat(new byte[] {0x02}, cstring(name), ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v.length).array(), v);
    }

    private static byte[] shortstr(String s) {
        return concat(new byte[] {(byte) s.length()}, ascii(s));
    }

    private static byte[] cstring(String s) {
        return concat(ascii(s), new byte[] {0});
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
