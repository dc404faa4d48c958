package dev.trawl.engine.kafka;

import dev.trawl.engine.Detection;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.TcpParser;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/** Kafka, recognised by a request header: size, a known api key and version, a printable client id. */
public final class KafkaProtocol implements TcpProtocol {

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public Detection detect(ByteBuffer data, int port) {
        if (data.remaining() < 14) {
            return data.remaining() >= 4 && data.getInt(data.position()) > 0
                    && data.getInt(data.position()) <= KafkaDecoder.MAX_MESSAGE ? Detection.NEED_MORE : Detection.NO;
        }
        return KafkaDecoder.looksLikeRequest(data) ? Detection.CLIENT : Detection.NO;
    }

    @Override
    public TcpParser newParser(TcpContext context) {
        return new KafkaDescriber(context);
    }
}
