package dev.trawl.engine.amqp;

import dev.trawl.engine.Detection;
import dev.trawl.engine.Framing;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/**
 * AMQP 0-9-1, recognised by the protocol header or, mid-connection, by a well-formed method
 * frame, or by frames that chain (heartbeats, content) up to one whose method names its sender.
 */
public final class AmqpProtocol extends TcpProtocol.Declared {
    private static final int METHOD = 1, HEADER = 2, BODY = 3, HEARTBEAT = 8, FRAME_END = 0xCE;

    public AmqpProtocol() {
        super("amqp", AmqpProtocol::recognise, AmqpDescriber::new);
    }

    private static Detection recognise(ByteBuffer data, int port) {
        if (AmqpDecoder.startsWithHeader(data)) {
            return data.remaining() >= 5 ? Detection.CLIENT : Detection.NEED_MORE;
        }
        if (AmqpDecoder.looksLikeMethodFrame(data)) {
            int p = data.position();
            return sender(data.getShort(p + 7) & 0xffff, data.getShort(p + 9) & 0xffff);
        }
        return Framing.detect(data, 2, FRAMES);
    }

    /** Answers, and what only a broker sends, come from the server. */
    private static Detection sender(int classId, int methodId) {
        String name = AmqpMethods.name(classId, methodId);
        boolean server = name.endsWith("-ok") || name.equals("connection.start") || name.equals("connection.tune")
                || name.equals("basic.deliver") || name.equals("basic.return");
        return server ? Detection.SERVER : Detection.CLIENT;
    }

    /** Type, channel, size, payload and the frame-end octet where the size says. */
    private static final Framing.Message FRAMES = new Framing.Message() {
        @Override
        public int length(ByteBuffer data, int at) {
            if (data.limit() - at < 7) {
                return 0;
            }
            int type = data.get(at);
            int size = data.getInt(at + 3);
            boolean known = type == METHOD || type == HEADER || type == BODY || type == HEARTBEAT;
            return known && size >= 0 && size <= AmqpDecoder.MAX_PARSED ? 8 + size : -1;
        }

        @Override
        public Detection sender(ByteBuffer data, int at, int length, int previous) {
            if ((data.get(at + length - 1) & 0xff) != FRAME_END) {
                return Detection.NO;
            }
            int size = length - 8;
            return switch (data.get(at)) {
                case METHOD -> size >= 4 && AmqpMethods.known(data.getShort(at + 7) & 0xffff, data.getShort(at + 9) & 0xffff)
                        ? AmqpProtocol.sender(data.getShort(at + 7) & 0xffff, data.getShort(at + 9) & 0xffff) : Detection.NO;
                case HEARTBEAT -> size == 0 && data.getShort(at + 1) == 0 ? Detection.NEED_MORE : Detection.NO;
                case HEADER -> size >= 14 ? Detection.NEED_MORE : Detection.NO;
                default -> Detection.NEED_MORE;   // a body: publish's from the client, deliver's from the server
            };
        }
    };

}
