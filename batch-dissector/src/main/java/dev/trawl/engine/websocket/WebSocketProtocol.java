package dev.trawl.engine.websocket;

import dev.trawl.engine.Detection;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.TcpParser;
import dev.trawl.engine.TcpProtocol;
import java.nio.ByteBuffer;

/**
 * WebSocket, reached only through the HTTP/1.1 parser's hand-off after {@code 101 Switching
 * Protocols} to {@code Upgrade: websocket}: its frames carry too little structure to be told
 * from noise without having seen the upgrade. Entries say protocol {@code ws}.
 */
public final class WebSocketProtocol implements TcpProtocol {

    @Override
    public String name() {
        return "websocket";
    }

    @Override
    public Detection detect(ByteBuffer data, int port) {
        return Detection.NO;
    }

    @Override
    public TcpParser newParser(TcpContext context) {
        return new WebSocketDescriber(context);
    }
}
