package dev.trawl.engine.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.engine.testing.CapturedSegments;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AmqpDecoderTest {

    private static List<AmqpExchange> dissect(String capture, boolean byteByByte) {
        List<AmqpExchange> out = new ArrayList<>();
        CapturedSegments.decodeEach(capture, 5672, byteByByte, connection -> new AmqpDecoder(1024, out::add),
                c -> assertThat(c.errors()).isZero());
        return out;
    }

    private static AmqpExchange find(List<AmqpExchange> calls, String method) {
        return calls.stream().filter(c -> c.method().equals(method)).findFirst().orElseThrow();
    }

    @Test
    void pairsSynchronousMethodsAndReadsPublishedContent() {
        // tshark on deepflow/amqp1.pcap: queue.declare hello, exchange.declare exchange-1,
        // basic.publish exchange-1 / rk-1 with a body
        List<AmqpExchange> calls = dissect("deepflow/amqp1.pcap", false);
        AmqpExchange start = find(calls, "connection.start");
        assertThat(start.fromClient()).isFalse();
        assertThat(start.answer()).isEqualTo("connection.start-ok");
        AmqpExchange declare = find(calls, "queue.declare");
        assertThat(declare.argument("queue")).isEqualTo("hello");
        assertThat(declare.answer()).isEqualTo("queue.declare-ok");
        assertThat(declare.argument("message-count")).isNotEmpty();
        assertThat(find(calls, "exchange.declare").argument("exchange")).isEqualTo("exchange-1");
        AmqpExchange publish = find(calls, "basic.publish");
        assertThat(publish.argument("exchange")).isEqualTo("exchange-1");
        assertThat(publish.argument("routing-key")).isEqualTo("rk-1");
        assertThat(publish.bodySize()).isPositive();
        assertThat(publish.body()).hasSize((int) publish.bodySize());
        assertThat(find(calls, "channel.close").answer()).isEqualTo("channel.close-ok");
    }

    @Test
    void packetBoundariesDoNotMatter() {
        List<AmqpExchange> whole = dissect("deepflow/amqp1.pcap", false);
        List<AmqpExchange> bytes = dissect("deepflow/amqp1.pcap", true);
        assertThat(bytes).extracting(AmqpExchange::method).isEqualTo(whole.stream().map(AmqpExchange::method).toList());
        assertThat(bytes).extracting(AmqpExchange::arguments)
                .isEqualTo(whole.stream().map(AmqpExchange::arguments).toList());
    }

    @Test
    void refusalsAnswerTheRequestInFlight() {
        // tshark on deepflow/amqp-error.pcap: connection.open of vhost /bad refused with 530, a second
        // exchange.declare test_ex refused with 406, basic.publish to return_test/nowhere returned with 312
        List<AmqpExchange> calls = dissect("deepflow/amqp-error.pcap", false);
        AmqpExchange open = find(calls, "connection.open");
        assertThat(open.argument("virtual-host")).isEqualTo("/bad");
        assertThat(open.replyCode()).isEqualTo(530);
        assertThat(open.replyText()).isEqualTo("NOT_ALLOWED - vhost /bad not found");
        AmqpExchange refused = calls.stream()
                .filter(c -> c.method().equals("exchange.declare") && c.replyCode() != 0).findFirst().orElseThrow();
        assertThat(refused.argument("exchange")).isEqualTo("test_ex");
        assertThat(refused.replyCode()).isEqualTo(406);
        assertThat(refused.answer()).isEqualTo("channel.close");
        AmqpExchange returned = find(calls, "basic.return");
        assertThat(returned.argument("reply-code")).isEqualTo("312");
        assertThat(returned.argument("routing-key")).isEqualTo("nowhere");
    }

    @Test
    void damagedInputNeverThrows() {
        Random r = new Random(19);
        for (int i = 0; i < 300; i++) {
            byte[] junk = new byte[r.nextInt(600) + 16];
            r.nextBytes(junk);
            if (i % 2 == 0) {
                System.arraycopy("AMQP\0\0\11\1".getBytes(StandardCharsets.ISO_8859_1), 0, junk, 0, 8);
                junk[8] = 1;
            }
            AmqpDecoder c = new AmqpDecoder(64, e -> { });
            c.onData(true, ByteBuffer.wrap(junk), 1);
            c.onData(false, ByteBuffer.wrap(junk), 2);
            c.close();
        }
    }
}
