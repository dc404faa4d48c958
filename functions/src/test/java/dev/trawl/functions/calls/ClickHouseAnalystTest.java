package dev.trawl.functions.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.trawl.core.clickhouse.ClickHouseAnalyst;

class ClickHouseAnalystTest {

    @Test
    void passwordIsAQuotedLiteralAndTheUserIsReadOnly() {
        List<String> s = ClickHouseAnalyst.statements("default", "p'w\\d");
        assertThat(s).anySatisfy(x -> assertThat(x).contains("BY 'p\\'w\\\\d'").contains("readonly = 1"));
        assertThat(s).contains("GRANT SELECT ON `default`.* TO trawl_analyst");
        assertThatThrownBy(() -> ClickHouseAnalyst.statements("x`; DROP", "p")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEmbeddedEngineCannotManageUsersSoItsFrontMustEnforceReadOnly() {
        // chDB has one built-in user without access management: the statements are refused, which
        // is why the embedded HTTP front maps the analyst login to readonly = 1 itself
        String refused = null;
        try {
            TestClickHouse.chdb().withConnection(c -> c.query(ClickHouseAnalyst.statements("default", "x").getFirst(), "TSV", Map.of()));
        } catch (RuntimeException e) {
            refused = e.getMessage();
        }
        assertThat(refused).contains("ACCESS_DENIED");
    }

    @Test
    void grpcCallsGiveTheHttpStatusApartFromTheGrpcStatus() {
        // as the dissector stores a gRPC call: status is the grpc-status, the HTTP :status is a field
        TestClickHouse.chdb().query("INSERT INTO calls (dataset, id, ts, protocol, path, status, fields) VALUES "
                + "('grpc-view', 'g', '2026-03-14 21:00:00', 'grpc', '/cart.Cart/Add', 14, {'grpc_status':'14','http_status':'200'})");
        String row = TestClickHouse.chdb().query("SELECT grpc_service, grpc_method, grpc_status, http_status FROM grpc_calls "
                + "WHERE dataset = 'grpc-view' FORMAT TSV").text().strip();
        assertThat(row).isEqualTo("cart.Cart\tAdd\t14\t200");
    }
}
