package dev.trawl.engine.mongodb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.engine.testing.CapturedSegments;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MongoDecoderTest {

    private static List<MongoExchange> dissect(String capture, int port, boolean byteByByte) {
        List<MongoExchange> out = new ArrayList<>();
        CapturedSegments.decodeEach(capture, port, byteByByte, connection -> new MongoDecoder(out::add),
                c -> assertThat(c.errors()).isZero());
        return out;
    }

    @Test
    void readsOpMsgCommandDatabaseCollectionAndOk() {
        // tshark -d tcp.port==3717,mongo: OP_MSG find (filter name) on sky-test, answered with a cursor and ok 1
        List<MongoExchange> calls = dissect("deepflow/mongo-msg.pcap", 3717, true);
        assertThat(calls).hasSize(1);
        MongoExchange find = calls.getFirst();
        assertThat(find.opCode()).isEqualTo("OP_MSG");
        assertThat(find.command()).isEqualTo("find");
        assertThat(find.database()).isEqualTo("sky-test");
        assertThat(find.collection()).isEqualTo("query");
        assertThat(find.namespace()).isEqualTo("sky-test.query");
        assertThat(find.requestId()).isEqualTo(0x28);
        assertThat(find.ok()).isEqualTo(1.0);
        assertThat(find.answered()).isTrue();
    }

    @Test
    void readsLegacyOpQueryCommands() {
        // tshark -d tcp.port==27017,mongo: ismaster on admin.$cmd, getnonce on abtest.$cmd, isMaster twice,
        // and (to port 30000) one more getnonce
        List<MongoExchange> calls = dissect("nDPI/mongodb.pcap", 27017, false);
        assertThat(calls).extracting(MongoExchange::command)
                .containsExactly("ismaster", "getnonce", "isMaster", "isMaster", "getnonce");
        assertThat(calls).extracting(MongoExchange::database).startsWith("admin", "abtest", "admin", "admin");
        assertThat(calls).allMatch(c -> c.opCode().equals("OP_QUERY") && !c.answered());
    }

    @Test
    void readsReplyErrors() {
        List<MongoExchange> calls = new ArrayList<>();
        MongoDecoder c = new MongoDecoder(calls::add);
        c.onData(true, message(7, 0, 2013, section(doc("insert", "users", "$db", "shop"))), 1);
        c.onData(false, message(8, 7, 2013, section(doc("ok", 0.0, "errmsg", "not authorized on shop", "code", 13,
                "codeName", "Unauthorized"))), 5);
        assertThat(calls).hasSize(1);
        MongoExchange x = calls.getFirst();
        assertThat(x.namespace()).isEqualTo("shop.users");
        assertThat(x.ok()).isEqualTo(0.0);
        assertThat(x.errmsg()).isEqualTo("not authorized on shop");
        assertThat(x.code()).isEqualTo(13);
        assertThat(x.codeName()).isEqualTo("Unauthorized");
    }

    @Test
    void damagedInputNeverThrows() {
        Random r = new Random(17);
        for (int i = 0; i < 300; i++) {
            byte[] junk = new byte[r.nextInt(600) + 16];
            r.nextBytes(junk);
            ByteBuffer b = ByteBuffer.wrap(junk).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(0, junk.length).putInt(8, 0).putInt(12, i % 2 == 0 ? 2013 : 2004);
            MongoDecoder c = new MongoDecoder(e -> { });
            c.onData(true, ByteBuffer.wrap(junk), 1);
            b.putInt(8, b.getInt(4));
            c.onData(false, ByteBuffer.wrap(junk), 2);
            c.close();
        }
    }

    private static ByteBuffer message(int id, int responseTo, int opCode, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(16 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(16 + body.length).putInt(id).putInt(responseTo).putInt(opCode).put(body);
        return b.flip();
    }

    private static byte[] section(byte[] doc) {
        ByteBuffer b = ByteBuffer.allocate(5 + doc.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putInt(0).put((byte) 0).put(doc).array();
    }

    private static byte[] doc(Object... kv) {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0);
        for (int i = 0; i < kv.length; i += 2) {
            String key = (String) kv[i];
            Object v = kv[i + 1];
            byte type = v instanceof String ? (byte) 2 : v instanceof Double ? (byte) 1 : (byte) 0x10;
            b.put(type).put(key.getBytes()).put((byte) 0);
            switch (v) {
                case String s -> b.putInt(s.length() + 1).put(s.getBytes()).put((byte) 0);
                case Double d -> b.putDouble(d);
                case Integer n -> b.putInt(n);
                default -> throw new IllegalArgumentException();
            }
        }
        b.put((byte) 0);
        int length = b.position();
        b.putInt(0, length);
        byte[] out = new byte[length];
        b.flip().get(out);
        return out;
    }
}
