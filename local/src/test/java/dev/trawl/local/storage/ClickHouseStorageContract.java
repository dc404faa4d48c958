package dev.trawl.local.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.ServerException;
import com.clickhouse.client.api.insert.InsertSettings;
import com.clickhouse.client.api.query.GenericRecord;
import com.clickhouse.data.ClickHouseFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What trawl needs from ClickHouse, through the same client the apps use (client-v2 over HTTP),
 * asserted against the embedded chDB front (always) and a ClickHouse server (where Docker is).
 */
abstract class ClickHouseStorageContract {
    abstract String httpUrl();

    abstract String user();

    abstract String password();

    Client client() {
        return new Client.Builder().addEndpoint(httpUrl()).setUsername(user()).setPassword(password()).build();
    }

    @Test
    void theCallsSchemaAppliesAndRowsRoundTrip() throws Exception {
        String ddl;
        try (InputStream in = getClass().getResourceAsStream("/dev/trawl/core/clickhouse/V1__calls.sql")) {
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Client client = client()) {
            client.execute(ddl).get(60, TimeUnit.SECONDS).close();
            client.execute(ddl).get(60, TimeUnit.SECONDS).close(); // idempotent
            String row = "{\"dataset\":\"realtime\",\"id\":\"c1\",\"ts\":\"2026-01-02 03:04:05.123456\",\"node\":\"n1\",\"protocol\":\"http\","
                    + "\"method\":\"GET\",\"path\":\"/api/x\",\"status\":503,\"request_headers\":{\"host\":\"svc\"},\"dns_questions\":[]}\n";
            var insert = client.insert("calls", new ByteArrayInputStream(row.getBytes(StandardCharsets.UTF_8)), ClickHouseFormat.JSONEachRow, new InsertSettings())
                    .get(60, TimeUnit.SECONDS);
            assertThat(insert.getWrittenRows()).isEqualTo(1);
            List<GenericRecord> rows = client.queryAll("SELECT path, status, request_headers['host'] AS host, toString(ts) AS t FROM calls WHERE dataset = 'realtime'");
            assertThat(rows).hasSize(1);
            assertThat(rows.getFirst().getString("path")).isEqualTo("/api/x");
            assertThat(rows.getFirst().getInteger("status")).isEqualTo(503);
            assertThat(rows.getFirst().getString("host")).isEqualTo("svc");
            assertThat(rows.getFirst().getString("t")).isEqualTo("2026-01-02 03:04:05.123456");
        }
    }

    @Test
    void rowBinaryBulkInsertAndQueryParameters() throws Exception {
        try (Client client = client()) {
            client.execute("CREATE TABLE IF NOT EXISTS contract_rows (n UInt32, s String) ENGINE = MergeTree ORDER BY n").get(60, TimeUnit.SECONDS).close();
            ByteArrayOutputStream rb = new ByteArrayOutputStream();
            int count = 20_000;
            for (int i = 0; i < count; i++) {
                rb.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array());
                byte[] s = ("v" + i).getBytes(StandardCharsets.UTF_8);
                rb.write(s.length);
                rb.writeBytes(s);
            }
            var insert = client.insert("contract_rows", new ByteArrayInputStream(rb.toByteArray()), ClickHouseFormat.RowBinary, new InsertSettings())
                    .get(60, TimeUnit.SECONDS);
            assertThat(insert.getWrittenRows()).isEqualTo(count);
            List<GenericRecord> r = client.queryAll("SELECT count() AS c, sum(n) AS total FROM contract_rows WHERE s != {skip:String}",
                    java.util.Map.of("skip", "v0"));
            assertThat(r.getFirst().getLong("c")).isEqualTo(count - 1);
            assertThat(r.getFirst().getLong("total")).isEqualTo((long) count * (count - 1) / 2);
        }
    }

    @Test
    void serverErrorsCarryTheirCode() {
        try (Client client = client()) {
            assertThatThrownBy(() -> client.queryAll("SELECT * FROM contract_missing_table"))
                    .hasRootCauseInstanceOf(ServerException.class)
                    .rootCause().satisfies(e -> assertThat(((ServerException) e).getCode()).isEqualTo(60));
        }
    }
}
