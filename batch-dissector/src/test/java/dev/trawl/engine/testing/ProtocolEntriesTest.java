package dev.trawl.engine.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.engine.Entry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine on real captures, detecting each protocol by content (none of these ports is
 * configured anywhere), with the field values tshark shows for the same files.
 */
class ProtocolEntriesTest {

    @Test
    void grpcCallsWithServiceMethodAndStatus() {
        List<Entry> calls = EngineRun.dissect("wireshark_samples/grpc.pcap").of("grpc");
        assertThat(calls).extracting(Entry::path).containsExactlyInAnyOrder(
                "/RPC_BFCP_SRV.BFCP_GRPC_Service/AddFcs", "/RPC_BFCP_SRV.BFCP_GRPC_Service/AddConference",
                "/RPC_BFCP_SRV.BFCP_GRPC_Service/AddUser", "/RPC_BFCP_SRV.BFCP_GRPC_Service/AddUser",
                "/RPC_BFCP_SRV.BFCP_GRPC_Service/DelConference");
        assertThat(calls).allSatisfy(e -> {
            assertThat(e.method()).isEqualTo("POST");
            assertThat(e.host()).isEqualTo("127.0.0.1:50051");
            assertThat(e.fields()).containsEntry("grpc_status", "0").containsEntry("grpc_service",
                    "RPC_BFCP_SRV.BFCP_GRPC_Service").containsEntry("http_status", "200");
            assertThat(e.answered()).isTrue();
            assertThat(e.dstPort()).isEqualTo(50051);
        });
        List<Entry> monitor = EngineRun.dissect("gRPC_Monitor/grpc.pcap").of("grpc");
        assertThat(monitor).extracting(e -> e.fields().get("grpc_method")).contains("ProcessControl", "MonitorTick");
    }

    @Test
    void http2StreamsOfAConnectionWhoseStartWasNotCaptured() {
        List<Entry> calls = EngineRun.dissect("nDPI/http2.pcapng").of("http2");
        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst().method()).isEqualTo("POST");
        assertThat(calls.getFirst().path()).isEqualTo("/namf-comm/v1/subscriptions");
        assertThat(calls.getFirst().status()).isEqualTo(201);
        assertThat(calls.getFirst().responseHeaders()).containsKey("location");
        assertThat(calls.getFirst().srcPort()).isEqualTo(37824);
    }

    @Test
    void redisCommandsAndKeys() {
        List<Entry> calls = EngineRun.dissect("mercury/redis.pcap").of("redis");
        assertThat(calls).extracting(Entry::method).containsExactly("COMMAND", "AUTH", "AUTH", "SET", "GET");
        assertThat(calls.get(1).status()).isEqualTo(1);
        assertThat(calls.get(1).fields().get("redis_error")).startsWith("WRONGPASS");
        assertThat(calls.get(3).path()).isEqualTo("mykey");
        assertThat(calls.get(4).responseBody()).isEqualTo("hello");
        List<Entry> django = EngineRun.dissect("zeek/django-cloud.pcapng").of("redis");
        assertThat(django).isNotEmpty().allMatch(Entry::answered);
    }

    @Test
    void kafkaApiKeysCorrelationIdsAndTopics() {
        Entry produce = EngineRun.dissect("deepflow/00-produce-v2.pcap").of("kafka").getFirst();
        assertThat(produce.method()).isEqualTo("Produce");
        assertThat(produce.path()).isEqualTo("topic2");
        assertThat(produce.fields()).containsEntry("kafka_api_version", "2").containsEntry("kafka_correlation_id", "1")
                .containsEntry("kafka_client_id", "console-producer").containsEntry("kafka_error_code", "0");
        assertThat(produce.answered()).isTrue();
        List<Entry> mixed = EngineRun.dissect("deepflow/mixed-with-unsupported.pcap").of("kafka");
        assertThat(mixed).extracting(Entry::method).containsExactlyInAnyOrder("Fetch", "OffsetCommit", "Heartbeat");
        Entry vlan = EngineRun.dissect("arkime/kafka.pcap").of("kafka").getFirst();
        assertThat(vlan.method()).isEqualTo("ListOffsets");
        assertThat(vlan.answered()).isFalse();
    }

    @Test
    void postgresQueriesTagsAndSqlState() {
        List<Entry> calls = EngineRun.dissect("suricata-verify/pgsql-simple-query-rollback__input.pcap").of("postgresql");
        assertThat(calls).filteredOn(e -> e.fields().get("pg_kind").equals("QUERY")).hasSize(22);
        Entry division = calls.stream().filter(e -> e.path().equals("SELECT 1/0;")).findFirst().orElseThrow();
        assertThat(division.method()).isEqualTo("SELECT");
        assertThat(division.fields()).containsEntry("pg_sqlstate", "22012").containsEntry("pg_error", "division by zero");
        Entry startup = calls.stream().filter(e -> e.method().equals("STARTUP")).findFirst().orElseThrow();
        assertThat(startup.path()).isEqualTo("ju-Test@Test");
        List<Entry> extended = EngineRun.dissect("deepflow/pgsql-all.pcap").of("postgresql");
        assertThat(extended).filteredOn(e -> e.fields().get("pg_kind").equals("EXECUTE")).hasSize(32);
        assertThat(EngineRun.dissect("arkime/postgres-good.pcap").of("postgresql")).extracting(Entry::method)
                .contains("SSL", "STARTUP");
    }

    @Test
    void mysqlQueriesResultsAndCompressedResponses() {
        List<Entry> calls = EngineRun.dissect("zeek/mysql.pcap").of("mysql");
        assertThat(calls).filteredOn(e -> "QUERY".equals(e.fields().get("mysql_command"))).hasSize(14);
        Entry select = calls.stream().filter(e -> e.path().equals("select * from foo")).findFirst().orElseThrow();
        assertThat(select.method()).isEqualTo("SELECT");
        assertThat(select.fields()).containsEntry("mysql_columns", "3").containsEntry("mysql_result", "RESULTSET");
        Entry compressed = EngineRun.dissect("deepflow/mysql-compressed-response.pcap").of("mysql").getFirst();
        assertThat(compressed.path()).isEqualTo("SELECT * FROM `az_controller_connection`");
        assertThat(compressed.fields()).containsEntry("mysql_result", "RESULTSET");
        Entry refused = EngineRun.dissect("zeek/caching_sha2_password.pcap").of("mysql").getFirst();
        assertThat(refused.status()).isEqualTo(1158);
        assertThat(refused.fields()).containsEntry("mysql_sqlstate", "08S01");
    }

    @Test
    void mongoCommandsAndNamespaces() {
        Entry find = EngineRun.dissect("deepflow/mongo-msg.pcap").of("mongodb").getFirst();
        assertThat(find.method()).isEqualTo("find");
        assertThat(find.path()).isEqualTo("sky-test.query");
        assertThat(find.fields()).containsEntry("mongodb_ok", "1").containsEntry("mongodb_op", "OP_MSG");
        List<Entry> legacy = EngineRun.dissect("nDPI/mongodb.pcap").of("mongodb");
        assertThat(legacy).extracting(Entry::method).contains("ismaster", "getnonce", "isMaster");
    }

    @Test
    void amqpMethodsExchangesAndRoutingKeys() {
        List<Entry> calls = EngineRun.dissect("deepflow/amqp1.pcap").of("amqp");
        Entry publish = calls.stream().filter(e -> e.method().equals("basic.publish")).findFirst().orElseThrow();
        assertThat(publish.fields()).containsEntry("amqp_exchange", "exchange-1").containsEntry("amqp_routing_key", "rk-1");
        assertThat(publish.path()).isEqualTo("exchange-1/rk-1");
        assertThat(calls).filteredOn(e -> e.method().equals("queue.declare")).extracting(Entry::path).contains("hello");
        List<Entry> errors = EngineRun.dissect("deepflow/amqp-error.pcap").of("amqp");
        assertThat(errors).filteredOn(e -> e.method().equals("connection.open")).extracting(Entry::status)
                .contains(530);
        assertThat(errors).filteredOn(e -> e.method().equals("exchange.declare")).extracting(Entry::status)
                .contains(406);
    }

    @Test
    void websocketMessagesAfterTheUpgrade() {
        EngineRun.Result run = EngineRun.dissect("zeek/websocket.pcap");
        assertThat(run.of("http")).hasSize(1);
        List<Entry> messages = run.of("ws");
        // tshark: 9 frames; the closes pair up into one entry
        assertThat(messages).hasSize(8);
        assertThat(messages).allSatisfy(e -> {
            assertThat(e.path()).isEqualTo("/echo?.kl=Y");
            assertThat(e.dstPort()).isEqualTo(80);
        });
        Entry hello = messages.stream().filter(e -> e.requestBody().equals("Hello, WebSocket!")).findFirst().orElseThrow();
        assertThat(hello.fields()).containsEntry("ws_opcode", "text").containsEntry("ws_masked", "true");
        assertThat(messages).filteredOn(e -> e.responseBody().equals("Hello, WebSocket!")).hasSize(1);
        Entry close = messages.stream().filter(e -> e.method().equals("close")).findFirst().orElseThrow();
        assertThat(close.answered()).isTrue();
        Entry oversized = EngineRun.dissect("zeek/oversized-close-frame.pcapng").of("ws").stream()
                .filter(e -> e.method().equals("close")).findFirst().orElseThrow();
        assertThat(oversized.status()).isEqualTo(1000);
    }
}
