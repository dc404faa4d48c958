package dev.trawl.engine.mongodb;

import dev.trawl.engine.Detection;
import dev.trawl.engine.Framing;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * MongoDB, recognised by a request's message header (a known opcode, no responseTo), or by
 * replies (OP_MSG, OP_REPLY or OP_COMPRESSED answering a request) that chain.
 */
public final class MongoProtocol extends TcpProtocol.Declared {

    public MongoProtocol() {
        super("mongodb", MongoProtocol::recognise, MongoDescriber::new);
    }

    private static Detection recognise(ByteBuffer data, int port) {
        if (data.remaining() < 16) {
            return data.remaining() >= 4 ? Detection.NEED_MORE : Detection.NO;
        }
        return MongoDecoder.looksLikeRequest(data) ? Detection.CLIENT : Framing.detect(data, 2, MESSAGES);
    }

    /** The message header: length, requestID, responseTo (set in a reply) and opcode, little-endian. */
    private static final Framing.Message MESSAGES = new Framing.Message() {
        @Override
        public int length(ByteBuffer data, int at) {
            if (data.limit() - at < 16) {
                return 0;
            }
            int length = data.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(at);
            return length < 16 ? -1 : length;
        }

        @Override
        public Detection sender(ByteBuffer data, int at, int length, int previous) {
            ByteBuffer le = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int opCode = le.getInt(at + 12);
            if (le.getInt(at + 8) == 0) {
                return MongoDecoder.looksLikeRequest(le.limit(at + length).position(at)) ? Detection.CLIENT : Detection.NO;
            }
            boolean reply = opCode == MongoDecoder.OP_MSG || opCode == MongoDecoder.OP_REPLY
                    || opCode == MongoDecoder.OP_COMPRESSED;
            return reply && le.getInt(at + 4) != 0 ? Detection.SERVER : Detection.NO;
        }
    };

}
