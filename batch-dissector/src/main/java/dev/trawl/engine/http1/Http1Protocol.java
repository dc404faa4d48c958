package dev.trawl.engine.http1;

import dev.trawl.engine.Detection;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.TcpParser;
import dev.trawl.engine.TcpProtocol;

import java.nio.ByteBuffer;

/** HTTP/1.0 and 1.1, recognised by a request line or a status line. */
public final class Http1Protocol implements TcpProtocol {

    @Override
    public String name() {
        return "http";
    }

    @Override
    public int priority() {
        return 50;
    }

    @Override
    public Detection detect(ByteBuffer data, int port) {
        int p = data.position();
        int lim = data.limit();
        StartLine line = StartLine.find(data, p, lim);
        return switch (line) {
            case REQUEST -> Detection.CLIENT;
            case RESPONSE -> Detection.SERVER;
            case INCOMPLETE -> Detection.NEED_MORE;
            case NONE -> Detection.NO;
        };
    }

    @Override
    public TcpParser newParser(TcpContext context) {
        return new Http1Parser(context);
    }
}
