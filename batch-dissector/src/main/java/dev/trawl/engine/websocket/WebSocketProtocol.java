package dev.trawl.engine.websocket;

import dev.trawl.engine.Detection;
import dev.trawl.engine.TcpProtocol;

/**
 * WebSocket, reached only through the HTTP/1.1 parser's hand-off after {@code 101 Switching
 * Protocols} to {@code Upgrade: websocket}: its frames carry too little structure to be told
 * from noise without having seen the upgrade. Entries say protocol {@code ws}.
 */
public final class WebSocketProtocol extends TcpProtocol.Declared {

    public WebSocketProtocol() {
        super("websocket", (data, port) -> Detection.NO, WebSocketDescriber::new);
    }
}
