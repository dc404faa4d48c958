package dev.trawl.dissect.mongodb;

import dev.trawl.dissect.Detection;
import dev.trawl.dissect.TcpContext;
import dev.trawl.dissect.TcpParser;
import dev.trawl.dissect.TcpProtocol;
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
        return MongoConnection.looksLikeRequest(data) ? Detection.CLIENT : Detection.NO;
    }

    @Override
    public TcpParser newParser(TcpContext context) {
        return new MongoParser(context);
    }
}
