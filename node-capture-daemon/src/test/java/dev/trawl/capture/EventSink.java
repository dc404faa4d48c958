package dev.trawl.capture;

import com.sun.net.httpserver.HttpServer;
import dev.trawl.core.chunk.PcapUploaded;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A real HTTP receiver for the daemon's CloudEvents (binary mode), standing where K_SINK points. */
final class EventSink implements AutoCloseable {
    record Received(String type, String source, String subject, PcapUploaded data) {}

    final List<Received> events = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    EventSink() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            var h = exchange.getRequestHeaders();
            events.add(new Received(h.getFirst("ce-type"), h.getFirst("ce-source"), h.getFirst("ce-subject"), PcapUploaded.fromJson(body)));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
