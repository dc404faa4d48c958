package dev.trawl.engine.postgresql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.engine.testing.CapturedSegments;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PgDecoderTest {

    private static List<PgExchange> dissect(String capture, int port, boolean byteByByte) {
        List<PgExchange> out = new ArrayList<>();
        CapturedSegments.decodeEach(capture, port, byteByByte, connection -> new PgDecoder(out::add), c -> {});
        return out;
    }

    @Test
    void readsStartupSimpleQueriesTagsAndErrors() {
        List<PgExchange> calls = dissect("suricata-verify/pgsql-simple-query-rollback__input.pcap", 5432, false);
        assertThat(calls.get(0).kind()).isEqualTo("SSL");
        assertThat(calls.get(0).commandTag()).isEqualTo("encryption refused");
        PgExchange startup = calls.get(1);
        assertThat(startup.kind()).isEqualTo("STARTUP");
        assertThat(startup.parameters()).containsEntry("user", "ju-Test").containsEntry("database", "Test")
                .containsEntry("application_name", "psql").containsEntry("protocol", "3.0");
        assertThat(startup.answered()).isTrue();
        List<PgExchange> queries = calls.stream().filter(c -> c.kind().equals("QUERY")).toList();
        // tshark counts 22 simple queries
        assertThat(queries).hasSize(22).allMatch(PgExchange::answered);
        assertThat(queries.getFirst().sql()).isEqualTo("BEGIN;");
        assertThat(queries.get(1).sql()).isEqualTo("DELETE FROM new_table WHERE NAME='Remus';");
        assertThat(queries.get(1).commandTag()).isEqualTo("DELETE 1");
        PgExchange division = queries.stream().filter(q -> q.sql().equals("SELECT 1/0;")).findFirst().orElseThrow();
        assertThat(division.sqlState()).isEqualTo("22012");
        assertThat(division.errorMessage()).isEqualTo("division by zero");
        assertThat(division.error()).containsEntry('S', "ERROR");
        PgExchange select = queries.getLast();
        assertThat(select.sql()).isEqualTo("SELECT * FROM new_table;");
        assertThat(select.commandTag()).isEqualTo("SELECT 8");
        assertThat(select.rows()).isEqualTo(8);
    }

    @Test
    void packetBoundariesDoNotMatter() {
        List<PgExchange> whole = dissect("suricata-verify/pgsql-simple-query-rollback__input.pcap", 5432, false);
        List<PgExchange> bytes = dissect("suricata-verify/pgsql-simple-query-rollback__input.pcap", 5432, true);
        assertThat(bytes).isEqualTo(whole.stream().map(e -> bytes.get(whole.indexOf(e))).toList());
        assertThat(bytes).extracting(PgExchange::sql).isEqualTo(whole.stream().map(PgExchange::sql).toList());
        assertThat(bytes).extracting(PgExchange::responseSize)
                .isEqualTo(whole.stream().map(PgExchange::responseSize).toList());
    }

    @Test
    void pairsExtendedQueriesWithTheirPreparedStatements() {
        // deepflow/pgsql-all.pcap starts mid-connection: 32 Executes (tshark), statements S_18, S_56, ...
        // prepared before the capture, and four Parse/Bind/Describe/Execute/Sync batches
        List<PgExchange> calls = dissect("deepflow/pgsql-all.pcap", 8000, false);
        List<PgExchange> executes = calls.stream().filter(c -> c.kind().equals("EXECUTE")).toList();
        assertThat(executes).hasSize(32).allMatch(PgExchange::answered);
        assertThat(executes.getFirst().sql()).isEqualTo("SELECT 'x'");
        assertThat(executes.getFirst().commandTag()).isEqualTo("SELECT 1");
        assertThat(executes.get(1).statement()).isEqualTo("S_18");
        assertThat(executes.get(1).sql()).isEmpty();
        assertThat(executes).extracting(PgExchange::commandTag).filteredOn("SELECT 0"::equals).hasSize(4);
        PgExchange six = executes.stream().filter(e -> e.commandTag().equals("SELECT 6")).findFirst().orElseThrow();
        assertThat(six.rows()).isEqualTo(6);
        assertThat(six.statement()).isEqualTo("S_142");
        PgExchange parsed = executes.stream().filter(e -> e.sql().startsWith("SELECT * FROM t_liablityeffectnotice"))
                .findFirst().orElseThrow();
        assertThat(parsed.commandTag()).isEqualTo("SELECT 1");
    }

    @Test
    void anErrorInABatchBelongsToItsExecute() {
        List<PgExchange> calls = new ArrayList<>();
        PgDecoder c = new PgDecoder(calls::add);
        ByteBuffer client = ByteBuffer.allocate(200);
        message(client, 'P', "\0select nope\0\0\0");
        message(client, 'B', "\0\0\0\0\0\0\0\0");
        message(client, 'E', "\0\0\0\0\0");
        message(client, 'S', "");
        c.onData(true, client.flip(), 10);
        ByteBuffer server = ByteBuffer.allocate(200);
        message(server, 'E', "SERROR\0C42703\0Mcolumn \"nope\" does not exist\0\0");
        message(server, 'Z', "I");
        c.onData(false, server.flip(), 25);
        c.close();
        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst().kind()).isEqualTo("EXECUTE");
        assertThat(calls.getFirst().sql()).isEqualTo("select nope");
        assertThat(calls.getFirst().sqlState()).isEqualTo("42703");
        assertThat(calls.getFirst().responseMicros()).isEqualTo(25);
    }

    @Test
    void stopsAtTls() {
        List<PgExchange> calls = dissect("suricata-verify/pgsql-upgrade-tls__input.pcap", 5432, false);
        // the first connection goes TLS after SSLRequest; the second starts in clear and is refused
        assertThat(calls).extracting(PgExchange::kind).containsExactly("SSL", "STARTUP");
        assertThat(calls.getFirst().commandTag()).isEqualTo("encryption accepted");
        assertThat(calls.get(1).parameters()).containsEntry("user", "rep");
        assertThat(calls.get(1).sqlState()).isEqualTo("28000");
        assertThat(calls.get(1).error()).containsEntry('S', "FATAL");
    }

    @Test
    void damagedInputNeverThrows() {
        dissect("zeek/bad-backend-message-1.pcap", 5432, false);
        Random r = new Random(11);
        for (int i = 0; i < 300; i++) {
            byte[] junk = new byte[r.nextInt(600) + 8];
            r.nextBytes(junk);
            if (i % 3 == 0) {
                ByteBuffer.wrap(junk).putInt(0, junk.length).putInt(4, PgDecoder.PROTOCOL_3);
            }
            PgDecoder c = new PgDecoder(e -> { });
            c.onData(true, ByteBuffer.wrap(junk), 1);
            c.onData(false, ByteBuffer.wrap(junk), 2);
            c.close();
        }
    }

    private static void message(ByteBuffer out, char type, String body) {
        byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.put((byte) type).putInt(4 + b.length).put(b);
    }

    @Test
    void resynchronisesAfterAGap() {
        List<PgExchange> calls = new ArrayList<>();
        PgDecoder c = new PgDecoder(calls::add);
        ByteBuffer lost = ByteBuffer.allocate(64);
        message(lost, 'Q', "select 1\0");
        c.onData(true, lost.flip().limit(7), 1);   // the rest of this query was never captured
        c.gap(true);
        ByteBuffer client = ByteBuffer.allocate(64);
        client.put("t 1\0".getBytes());             // the lost query's tail
        message(client, 'Q', "select 2\0");
        c.onData(true, client.flip(), 2);
        ByteBuffer server = ByteBuffer.allocate(64);
        message(server, 'Z', "I");                 // ends the lost query: the backend is in step again
        message(server, 'C', "SELECT 1\0");
        message(server, 'Z', "I");
        c.onData(false, server.flip(), 3);
        c.close();
        assertThat(calls).extracting(PgExchange::sql).containsExactly("select 2");
        assertThat(calls.getFirst().commandTag()).isEqualTo("SELECT 1");
    }
}
