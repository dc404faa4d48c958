package dev.trawl.functions.calls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.embedded.EmbeddedS3;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /mcp/flows} and {@code /mcp/flows/summary} end to end: the app, S3 dissection states,
 * the embedded ClickHouse's {@code flows} table (rows as the loader writes them; the engine's
 * counting is FlowsAgainstTsharkTest's).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class FlowsEndpointTest {
    static EmbeddedS3 s3;

    @LocalServerPort
    int port;

    final HttpClient http = HttpClient.newHttpClient();

    private static final String FLOWS = """
            INSERT INTO flows (dataset, id, node, transport, protocol, src_ip, src_port, src_pod, src_namespace, src_service, src_node,
              dst_ip, dst_port, dst_pod, dst_namespace, dst_service, dst_node, first_ts, last_ts, packets_to_server, bytes_to_server,
              packets_to_client, bytes_to_client, handshake_rtt_us, retransmissions, out_of_order, duplicate_acks, zero_windows,
              resets_by_client, resets_by_server, close, gaps, call_ids) VALUES
            ('net/full', 'f1', 'n1', 'tcp', 'http', '10.0.0.1', 40001, 'front-1', 'web', 'frontend', 'n1', '10.0.0.2', 8080, 'pay-1', 'shop', 'payment', 'n2',
             '2026-03-14 21:58:00', '2026-03-14 21:58:02', 10, 2000, 8, 9000, 1200, 3, 0, 1, 0, 0, 0, 'fin', 0, ['a1', 'a2']),
            ('net/full', 'f2', 'n1', 'tcp', '', '10.0.0.1', 40002, 'front-1', 'web', 'frontend', 'n1', '10.0.0.9', 5432, 'db-0', 'data', 'db', 'n2',
             '2026-03-14 21:59:00', '2026-03-14 21:59:01', 4, 400, 3, 300, 90000, 0, 1, 0, 2, 0, 1, 'rst', 0, []),
            ('net/full', 'f3', 'n1', 'udp', 'dns', '10.0.0.2', 53000, 'pay-1', 'shop', 'payment', 'n2', '10.0.0.53', 53, 'dns-0', 'kube-system', 'kube-dns', 'n1',
             '2026-03-14 21:59:30', '2026-03-14 21:59:30', 1, 80, 1, 120, -1, 0, 0, 0, 0, 0, 0, 'open', 0, ['d1'])""";

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) throws Exception {
        s3 = EmbeddedS3.startForTest(Files.createTempDirectory("flows-s3"));
        s3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
        TestClickHouse.env().forEach((k, v) -> registry.add(k, () -> v));
        Instant t = Instant.parse("2026-03-14T22:10:00Z");
        new DissectionStatusStore(s3.client(), s3.settings().bucket()).put(DissectionStatus.pending("net", "full", t).withStatus(State.COMPLETED, t));
        TestClickHouse.chdb().query(FLOWS);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    CallsEndpointTest.Answer get(String pathAndQuery) throws Exception {
        return CallsEndpointTest.get(http, port, pathAndQuery);
    }

    static String q(String s) {
        return CallsEndpointTest.q(s);
    }

    @Test
    void flowFieldsFilterTheFlowsNewestFirst() throws Exception {
        CallsEndpointTest.Answer all = get("/mcp/flows?db=net/full");
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.json().path("flows").findValuesAsString("id")).containsExactly("f3", "f2", "f1");
        assertThat(all.json().path("total").asLong()).isEqualTo(3);

        assertThat(get("/mcp/flows?db=net/full&kfl=" + q("tcp && retransmissions > 0")).json().path("flows").findValuesAsString("id"))
                .containsExactly("f1");
        assertThat(get("/mcp/flows?db=net/full&kfl=" + q("close == \"rst\" && rtt_us > 50000 && dst.svc == \"db\"")).json()
                .path("flows").findValuesAsString("id")).containsExactly("f2");
        assertThat(get("/mcp/flows?db=net/full&kfl=" + q("protocol == \"\"")).json().path("flows").findValuesAsString("id"))
                .containsExactly("f2");
        JsonNode f1 = get("/mcp/flows?db=net/full&kfl=" + q("id == \"f1\"")).json().path("flows").get(0);
        assertThat(f1.path("call_ids").findValuesAsString("")).isEmpty();
        assertThat(f1.path("call_ids").size()).isEqualTo(2);
        assertThat(f1.path("bytes_to_client").asLong()).isEqualTo(9000);
    }

    @Test
    void aggregatesPerPairOfNamespaces() throws Exception {
        CallsEndpointTest.Answer a = get("/mcp/flows?db=net/full&aggregate=namespace");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().path("groups").size()).isEqualTo(3);
        JsonNode top = a.json().path("groups").get(0); // by bytes
        assertThat(top.path("src_namespace").asString()).isEqualTo("web");
        assertThat(top.path("dst_namespace").asString()).isEqualTo("shop");
        assertThat(top.path("bytes").asLong()).isEqualTo(11000);
        assertThat(top.path("retransmissions").asLong()).isEqualTo(3);
    }

    @Test
    void theSummaryAddsUpTheFlows() throws Exception {
        CallsEndpointTest.Answer a = get("/mcp/flows/summary?db=net/full");
        assertThat(a.status()).isEqualTo(200);
        JsonNode totals = a.json().path("totals");
        assertThat(totals.path("flows").asLong()).isEqualTo(3);
        assertThat(totals.path("packets").asLong()).isEqualTo(10 + 8 + 4 + 3 + 1 + 1);
        assertThat(totals.path("bytes").asLong()).isEqualTo(2000 + 9000 + 400 + 300 + 80 + 120);
        assertThat(totals.path("retransmissions").asLong()).isEqualTo(3);
        assertThat(totals.path("resets").asLong()).isEqualTo(1);
        assertThat(totals.path("undissected_flows").asLong()).isEqualTo(1);
        assertThat(a.json().path("worst_by_retransmissions").findValuesAsString("id")).containsExactly("f1");
        assertThat(a.json().path("worst_by_rtt").findValuesAsString("id")).containsExactly("f2", "f1");
        assertThat(a.json().path("cross_namespace").size()).isEqualTo(3);
        assertThat(a.json().path("top_talkers").get(0).path("dst_service").asString()).isEqualTo("payment");
    }

    @Test
    void badInputIsA400WithTheReason() throws Exception {
        CallsEndpointTest.Answer field = get("/mcp/flows?db=net/full&kfl=" + q("status >= 500"));
        assertThat(field.status()).isEqualTo(400);
        assertThat(field.json().toString()).contains("unknown field 'status'").contains("retransmissions");
        CallsEndpointTest.Answer aggregate = get("/mcp/flows?db=net/full&aggregate=" + q("src_ip; DROP TABLE flows"));
        assertThat(aggregate.status()).isEqualTo(400);
        assertThat(aggregate.json().toString()).contains("aggregate must be one of");
        assertThat(get("/mcp/flows?db=nope/none").status()).isEqualTo(404);
    }
}
