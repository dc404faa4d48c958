package dev.trawl.dissect.kafka;

import dev.trawl.dissect.Detection;
import dev.trawl.dissect.TcpContext;
import dev.trawl.dissect.TcpParser;
import dev.trawl.dissect.TcpProtocol;
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
                    && data.getInt(data.position()) <= KafkaConnection.MAX_MESSAGE ? Detection.NEED_MORE : Detection.NO;
        }
        return KafkaConnection.looksLikeRequest(data) ? Detection.CLIENT : Detection.NO;
    }

    @Override
    public TcpParser newParser(TcpContext context) {
        return new KafkaParser(context);
    }
}
