package dev.trawl.dissect.amqp;

import dev.trawl.dissect.Detection;
import dev.trawl.dissect.TcpContext;
import dev.trawl.dissect.TcpParser;
import dev.trawl.dissect.TcpProtocol;
import java.nio.ByteBuffer;

/** AMQP 0-9-1, recognised by the protocol header or, mid-connection, by a well-formed method frame. */
public final class AmqpProtocol implements TcpProtocol {

    @Override
    public String name() {
        return "amqp";
    }

    @Override
    public Detection detect(ByteBuffer data, int port) {
        if (AmqpConnection.startsWithHeader(data)) {
            return data.remaining() >= 5 ? Detection.CLIENT : Detection.NEED_MORE;
        }
        if (AmqpConnection.looksLikeMethodFrame(data)) {
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
        return new AmqpParser(context);
    }
}
