package dev.trawl.engine.kafka;

import dev.trawl.engine.Detection;
import dev.trawl.engine.Framing;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/**
 * Kafka, recognised by a request header (size, a known api key and version, a printable client
 * id: a metadata request is one as much as a produce), or by a run of requests or responses.
 */
public final class KafkaProtocol extends TcpProtocol.Declared {

    public KafkaProtocol() {
        super("kafka", KafkaProtocol::recognise, KafkaDescriber::new);
    }

    private static Detection recognise(ByteBuffer data, int port) {
        if (data.remaining() < 14) {
            return data.remaining() >= 4 && data.getInt(data.position()) > 0
                    && data.getInt(data.position()) <= KafkaDecoder.MAX_MESSAGE ? Detection.NEED_MORE : Detection.NO;
        }
        // An answer's correlation id below 65536 reads as a Produce request's api key (0) and version,
        // and the error code or count's zeros after it as an empty client id: such a request must chain.
        int p = data.position();
        if (KafkaDecoder.looksLikeRequest(data) && (data.getShort(p + 4) != KafkaApis.PRODUCE || data.getShort(p + 12) > 0)) {
            return Detection.CLIENT;
        }
        return Framing.detect(data, 3, MESSAGES);
    }

    /**
     * Size-prefixed messages whose correlation ids go up: requests (a known api key, which
     * {@link KafkaDecoder#looksLikeRequest} checks, the id after it) or answers (the id first).
     */
    private static final Framing.Message MESSAGES = new Framing.Message() {
        @Override
        public int length(ByteBuffer data, int at) {
            if (data.limit() - at < 8) {
                return 0;
            }
            int size = data.getInt(at);
            return size < 4 || size > KafkaDecoder.MAX_PARSED ? -1 : 4 + size;
        }

        @Override
        public Detection sender(ByteBuffer data, int at, int length, int previous) {
            boolean request = length >= 14 && KafkaDecoder.looksLikeRequest(data.duplicate().limit(at + length).position(at))
                    && (previous < 0 || goesUp(data.getInt(previous + 8), data.getInt(at + 8)));
            boolean answer = data.getInt(at + 4) >= 0 && (previous < 0 || goesUp(data.getInt(previous + 4), data.getInt(at + 4)));
            return request == answer ? (request ? Detection.NEED_MORE : Detection.NO)
                    : request ? Detection.CLIENT : Detection.SERVER;
        }
    };

    private static boolean goesUp(int before, int after) {
        return after > before && after - before <= 1 << 16;
    }

}
