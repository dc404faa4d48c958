package dev.trawl.engine.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.engine.testing.CapturedSegments;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KafkaDecoderTest {

    private static List<KafkaExchange> dissect(String capture, int port, boolean byteByByte) {
        List<KafkaExchange> out = new ArrayList<>();
        CapturedSegments.decodeEach(capture, port, byteByByte, connection -> {
            assertThat(KafkaDecoder.looksLikeRequest(ByteBuffer.wrap(connection.getFirst().payload()))).isTrue();
            return new KafkaDecoder(out::add);
        }, c -> assertThat(c.errors()).isZero());
        return out;
    }

    @Test
    void readsProduceV2WithItsTopicAndResponseError() {
        // tshark: Produce v2, correlation 1, client console-producer, topic topic2, error 0
        List<KafkaExchange> calls = dissect("deepflow/00-produce-v2.pcap", 9092, false);
        assertThat(calls).hasSize(1);
        KafkaExchange e = calls.getFirst();
        assertThat(e.apiName()).isEqualTo("Produce");
        assertThat(e.apiVersion()).isEqualTo(2);
        assertThat(e.correlationId()).isEqualTo(1);
        assertThat(e.clientId()).isEqualTo("console-producer");
        assertThat(e.topics()).containsExactly("topic2");
        assertThat(e.errorCode()).isZero();
        assertThat(e.answered()).isTrue();
    }

    @Test
    void readsFlexibleVersions() {
        // Produce v9 (compact strings, tagged fields): correlation 47, topic zqy-test
        KafkaExchange produce = dissect("deepflow/00-produce-v9.pcap", 36333, true).getFirst();
        assertThat(produce.apiKey()).isZero();
        assertThat(produce.apiVersion()).isEqualTo(9);
        assertThat(produce.correlationId()).isEqualTo(47);
        assertThat(produce.topics()).containsExactly("zqy-test");
        assertThat(produce.errorCode()).isZero();
        // Fetch v12: correlation 15603, client consumer-console-consumer-8919-1
        KafkaExchange fetch = dissect("deepflow/01-fetch-v12-ok.pcap", 36333, false).getFirst();
        assertThat(fetch.apiName()).isEqualTo("Fetch");
        assertThat(fetch.apiVersion()).isEqualTo(12);
        assertThat(fetch.clientId()).isEqualTo("consumer-console-consumer-8919-1");
        assertThat(fetch.errorCode()).isZero();
        assertThat(fetch.answered()).isTrue();
        // ApiVersions v3: the response header stays v0
        KafkaExchange versions = dissect("deepflow/18-api-versions-v3.pcap", 9092, false).getFirst();
        assertThat(versions.apiName()).isEqualTo("ApiVersions");
        assertThat(versions.correlationId()).isEqualTo(2);
        assertThat(versions.clientId()).isEqualTo("adminclient-1");
        assertThat(versions.errorCode()).isZero();
    }

    @Test
    void readsEveryConnectionOfAMixedCapture() {
        // tshark: Fetch v13 (15551976) on one connection; OffsetCommit v8 (15551977) and Heartbeat v4
        // (15551978, error 0) on another
        List<KafkaExchange> calls = dissect("deepflow/mixed-with-unsupported.pcap", 9092, false);
        assertThat(calls).extracting(KafkaExchange::apiName).containsExactly("Fetch", "OffsetCommit", "Heartbeat");
        assertThat(calls).extracting(KafkaExchange::correlationId).containsExactly(15551976, 15551977, 15551978);
        assertThat(calls).allMatch(KafkaExchange::answered);
        assertThat(calls.get(2).errorCode()).isZero();
        assertThat(calls.get(0).apiVersion()).isEqualTo(13);
    }

    @Test
    void pairsByCorrelationIdNotByOrder() {
        List<KafkaExchange> calls = new ArrayList<>();
        KafkaDecoder c = new KafkaDecoder(calls::add);
        ByteBuffer requests = ByteBuffer.allocate(40);
        for (int id : new int[] {7, 8}) {
            requests.putInt(12).putShort((short) 12).putShort((short) 0).putInt(id).putShort((short) 2).put("ab".getBytes());
        }
        c.onData(true, requests.flip(), 1);
        ByteBuffer responses = ByteBuffer.allocate(20);
        responses.putInt(6).putInt(8).putShort((short) 25).putInt(6).putInt(7).putShort((short) 0);
        c.onData(false, responses.flip(), 2);
        assertThat(calls).extracting(KafkaExchange::correlationId).containsExactly(8, 7);
        assertThat(calls).extracting(KafkaExchange::errorCode).containsExactly(25, 0);
        assertThat(calls).extracting(KafkaExchange::apiName).containsOnly("Heartbeat");
        assertThat(calls).extracting(KafkaExchange::clientId).containsOnly("ab");
    }

    @Test
    void aRequestWithoutResponseIsUnanswered() {
        // arkime (tshark): ListOffsets v0, correlation 0, no response captured
        List<KafkaExchange> calls = dissect("arkime/kafka.pcap", 9092, false);
        assertThat(calls).hasSize(1);
        assertThat(calls.getFirst().apiName()).isEqualTo("ListOffsets");
        assertThat(calls.getFirst().answered()).isFalse();
    }

    @Test
    void hugeAndNegativeSizesNeitherAllocateNorThrow() {
        KafkaDecoder c = new KafkaDecoder(e -> { });
        c.onData(true, ByteBuffer.wrap(new byte[] {0x7f, 0, 0, 0, 0, 1}), 1);
        assertThat(c.errors()).isEqualTo(1);
        Random r = new Random(5);
        for (int i = 0; i < 300; i++) {
            byte[] junk = new byte[r.nextInt(500) + 4];
            r.nextBytes(junk);
            ByteBuffer.wrap(junk).putInt(0, junk.length - 4);
            KafkaDecoder k = new KafkaDecoder(e -> { });
            k.onData(true, ByteBuffer.wrap(junk), 1);
            k.onData(false, ByteBuffer.wrap(junk), 2);
            k.close();
        }
    }

    @Test
    void resynchronisesAfterAGap() {
        List<KafkaExchange> calls = new ArrayList<>();
        KafkaDecoder c = new KafkaDecoder(calls::add);
        ByteBuffer first = ByteBuffer.allocate(16);
        first.putInt(12).putShort((short) 12).putShort((short) 0).putInt(1).putShort((short) 2).put("ab".getBytes());
        // the request's second half is lost: a gap, then garbage, then a whole request
        c.onData(true, first.flip().limit(9), 1);
        c.gap(true);
        ByteBuffer rest = ByteBuffer.allocate(24);
        rest.put(new byte[] {7, 7, 7, 7}).putInt(12).putShort((short) 12).putShort((short) 0).putInt(2)
                .putShort((short) 2).put("ab".getBytes());
        c.onData(true, rest.flip(), 2);
        ByteBuffer response = ByteBuffer.allocate(10);
        response.putInt(6).putInt(2).putShort((short) 0);
        c.onData(false, response.flip(), 3);
        c.close();
        assertThat(calls).extracting(KafkaExchange::correlationId).containsExactly(2);
        assertThat(calls.getFirst().answered()).isTrue();
    }
}
