package dev.trawl.engine.mongodb;

import dev.trawl.engine.Detection;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.TcpParser;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/** MongoDB, recognised by a request's message header (a known opcode, no responseTo). */
public final class MongoProtocol implements TcpProtocol {

    @Override
    public String name() {
        return "mongodb";
    }

    @Override
    public Detection detect(ByteBuffer data, int port) {
        if (data.remaining() < 16) {
            return data.remaining() >= 4 ? Detection.NEED_MORE : Detection.NO;
        }
        return MongoDecoder.looksLikeRequest(data) ? Detection.CLIENT : Detection.NO;
    }

    @Override
    public TcpParser newParser(TcpContext context) {
        return new MongoDescriber(context);
    }
}
