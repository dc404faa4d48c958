package dev.trawl.engine.amqp;

import dev.trawl.engine.Detection;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.TcpParser;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/** AMQP 0-9-1, recognised by the protocol header or, mid-connection, by a well-formed method frame. */
public final class AmqpProtocol implements TcpProtocol {

    @Override
    public String name() {
        return "amqp";
    }

    @Override
    public Detection detect(ByteBuffer data, int port) {
        if (AmqpDecoder.startsWithHeader(data)) {
            return data.remaining() >= 5 ? Detection.CLIENT : Detection.NEED_MORE;
        }
        if (AmqpDecoder.looksLikeMethodFrame(data)) {
            int p = data.position();
            int classId = data.getShort(p + 7) & 0xffff;
            int methodId = data.getShort(p + 9) & 0xffff;
            String name = AmqpMethods.name(classId, methodId);
            boolean server = name.endsWith("-ok") || name.equals("connection.start") || name.equals("connection.tune")
                    || name.equals("basic.deliver") || name.equals("basic.return");
            return server ? Detection.SERVER : Detection.CLIENT;
        }
        return Detection.NO;
    }

    @Override
    public TcpParser newParser(TcpContext context) {
        return new AmqpDescriber(context);
    }
}
