package dev.trawl.engine.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.engine.http2.Http2Decoder;
import dev.trawl.engine.http2.Http2Exchange;
import dev.trawl.engine.testing.CapturedSegments;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrpcCallTest {

    private static List<GrpcCall> calls(String capture, int serverPort) {
        List<Http2Exchange> out = new ArrayList<>();
        Http2Decoder c = new Http2Decoder(1 << 20, out::add);
        CapturedSegments.feed(CapturedSegments.read(capture, serverPort), c::onData);
        c.close();
        assertThat(out).allMatch(GrpcCall::isGrpc);
        return out.stream().map(GrpcCall::from).toList();
    }

    @Test
    void readsServiceMethodAndStatusFromTrailers() {
        // tshark -d tcp.port==50051,http2: streams 1..9 AddFcs, AddConference, AddUser, AddUser,
        // DelConference, all grpc-status 0 (stream 3 ends later than 5 and 7)
        List<GrpcCall> calls = calls("wireshark_samples/grpc.pcap", 50051);
        assertThat(calls).extracting(GrpcCall::service).containsOnly("RPC_BFCP_SRV.BFCP_GRPC_Service");
        assertThat(calls).extracting(GrpcCall::method)
                .containsExactlyInAnyOrder("AddFcs", "AddConference", "AddUser", "AddUser", "DelConference");
        assertThat(calls).extracting(GrpcCall::status).containsOnly(0);
        assertThat(calls).extracting(GrpcCall::statusName).containsOnly("OK");
        assertThat(calls).allSatisfy(c -> assertThat(c.requestMessages()).isEqualTo(1));
    }

    @Test
    void readsACleartextUpgradeFreeConnectionWithHuffmanHeaders() {
        // deepflow/h2c_ascii.pcap: /hipstershop.CartService/GetCart answered with grpc-status 0
        List<GrpcCall> calls = calls("deepflow/h2c_ascii.pcap", 7070);
        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst().service()).isEqualTo("hipstershop.CartService");
        assertThat(calls.getFirst().method()).isEqualTo("GetCart");
        assertThat(calls.getFirst().status()).isZero();
        assertThat(calls.getFirst().responseMessages()).isEqualTo(1);
    }

    @Test
    void aServerStreamEndsWithItsTrailers() {
        // deepflow/grpc-server-stream.pcap: one call, five DATA frames, then grpc-status 0
        List<GrpcCall> calls = calls("deepflow/grpc-server-stream.pcap", 9001);
        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst().service()).isEqualTo("timeseriesquery.TimeSeriesQueryService");
        assertThat(calls.getFirst().method()).isEqualTo("ServerStreamQuery");
        assertThat(calls.getFirst().status()).isZero();
    }

    @Test
    void anUnfinishedCallHasNoStatus() {
        // deepflow/grpc-unary.pcap: request and response headers, no trailers captured
        List<GrpcCall> calls = calls("deepflow/grpc-unary.pcap", 30035);
        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst().service()).isEqualTo("agent.Synchronizer");
        assertThat(calls.getFirst().method()).isEqualTo("Sync");
        assertThat(calls.getFirst().status()).isEqualTo(-1);
    }

    @Test
    void decodesPercentEncodedMessages() {
        assertThat(GrpcCall.percentDecode("no%20such%20user%3A%20%E2%9C%93")).isEqualTo("no such user: ✓");
        assertThat(GrpcCall.percentDecode("50%")).isEqualTo("50%");
    }
}
