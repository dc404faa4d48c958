package dev.trawl.engine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.engine.testing.CapturedSegments;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MySqlDecoderTest {

    static List<MySqlExchange> dissect(String capture, int port, boolean byteByByte) {
        List<MySqlExchange> out = new ArrayList<>();
        CapturedSegments.decodeEach(capture, port, byteByByte, connection -> new MySqlDecoder(out::add), c -> {});
        return out;
    }

    @Test
    void readsTheHandshakeQueriesAndResults() {
        // tshark on zeek/mysql.pcap: 14 queries; "select * from foo" returns 3 columns; inserts affect 1 row
        List<MySqlExchange> calls = dissect("zeek/mysql.pcap", 3306, false);
        MySqlExchange handshake = calls.getFirst();
        assertThat(handshake.command()).isEqualTo("HANDSHAKE");
        assertThat(handshake.result()).isEqualTo("OK");
        List<MySqlExchange> queries = calls.stream().filter(c -> c.command().equals("QUERY")).toList();
        assertThat(queries).hasSize(14).allMatch(MySqlExchange::answered);
        assertThat(queries.getFirst().sql()).isEqualTo("select @@version_comment limit 1");
        assertThat(queries.getFirst().result()).isEqualTo("RESULTSET");
        assertThat(queries.getFirst().rows()).isEqualTo(1);
        MySqlExchange insert = queries.stream().filter(q -> q.sql().startsWith("insert into foo")).findFirst().orElseThrow();
        assertThat(insert.result()).isEqualTo("OK");
        assertThat(insert.affectedRows()).isEqualTo(1);
        MySqlExchange select = queries.stream().filter(q -> q.sql().equals("select * from foo")).findFirst().orElseThrow();
        assertThat(select.columns()).isEqualTo(3);
        assertThat(select.rows()).isEqualTo(2);
        assertThat(calls).extracting(MySqlExchange::command).contains("INIT_DB", "FIELD_LIST", "QUIT");
    }

    @Test
    void packetBoundariesDoNotMatter() {
        List<MySqlExchange> whole = dissect("zeek/mysql.pcap", 3306, false);
        List<MySqlExchange> bytes = dissect("zeek/mysql.pcap", 3306, true);
        assertThat(bytes).isEqualTo(whole);
    }

    @Test
    void readsAuthErrorsWithSqlState() {
        // tshark: the first connection of zeek/caching_sha2_password.pcap (user root, schema test) ends in
        // error 1158 08S01 "Got an error reading communication packets"
        List<MySqlExchange> calls = dissect("zeek/caching_sha2_password.pcap", 3306, false);
        MySqlExchange first = calls.getFirst();
        assertThat(first.command()).isEqualTo("HANDSHAKE");
        assertThat(first.sql()).isEqualTo("root");
        assertThat(first.database()).isEqualTo("test");
        assertThat(first.errorCode()).isEqualTo(1158);
        assertThat(first.sqlState()).isEqualTo("08S01");
        assertThat(first.errorMessage()).isEqualTo("Got an error reading communication packets");
        // the other two log in (fast caching_sha2 auth, query attributes on) and each runs three queries
        List<MySqlExchange> queries = calls.stream().filter(c -> c.command().equals("QUERY")).toList();
        assertThat(queries).extracting(MySqlExchange::sql).containsExactly("show databases", "show tables",
                "select @@version_comment limit 1", "show databases", "show tables", "select @@version_comment limit 1");
        assertThat(queries).allMatch(q -> q.result().equals("RESULTSET"));
        assertThat(queries.getFirst().rows()).isEqualTo(5);
    }

    @Test
    void unwrapsTheCompressedProtocolMidConnection() {
        // deepflow: a compressed COM_QUERY and a zlib-compressed result set (tshark cannot read it)
        List<MySqlExchange> calls = dissect("deepflow/mysql-compressed-response.pcap", 30130, false);
        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst().sql()).isEqualTo("SELECT * FROM `az_controller_connection`");
        assertThat(calls.getFirst().result()).isEqualTo("RESULTSET");
        assertThat(calls.getFirst().columns()).isGreaterThan(0);
        assertThat(calls.getFirst().rows()).isGreaterThan(0);
    }

    @Test
    void remembersPreparedStatements() {
        // deepflow/truncate-1024.pcap: STMT_PREPARE "SELECT * FROM `domain` WHERE state != ?" (21 columns), then EXECUTE
        List<MySqlExchange> calls = dissect("deepflow/truncate-1024.pcap", 6033, false);
        assertThat(calls.get(0).command()).isEqualTo("STMT_PREPARE");
        assertThat(calls.get(0).columns()).isEqualTo(21);
        assertThat(calls.get(1).command()).isEqualTo("STMT_EXECUTE");
        assertThat(calls.get(1).sql()).isEqualTo("SELECT * FROM `domain` WHERE state != ?");
        assertThat(calls.get(1).columns()).isEqualTo(21);
        assertThat(calls).extracting(MySqlExchange::sql).contains("SELECT * FROM `controller`");
    }

    @Test
    void damagedInputNeverThrows() {
        Random r = new Random(13);
        for (int i = 0; i < 300; i++) {
            byte[] junk = new byte[r.nextInt(600) + 8];
            r.nextBytes(junk);
            if (i % 2 == 0) {
                junk[3] = 0;
                junk[4] = (byte) (i % 4 == 0 ? 10 : 3);
            }
            MySqlDecoder c = new MySqlDecoder(e -> { });
            c.onData(i % 4 != 0, ByteBuffer.wrap(junk), 1);
            c.onData(i % 4 == 0, ByteBuffer.wrap(junk), 2);
            c.close();
        }
    }
}
