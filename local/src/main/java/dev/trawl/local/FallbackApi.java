package dev.trawl.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The HTTP API's discovery and health endpoints for a build without the functions app: the stack
 * still answers on its API port, and says what is missing instead of refusing connections.
 */
final class FallbackApi implements AutoCloseable {
    private final HttpServer server;

    private FallbackApi(HttpServer server) {
        this.server = server;
    }

    static FallbackApi start(String host, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", FallbackApi::handle);
        server.start();
        return new FallbackApi(server);
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            int status;
            String body;
            if (path.equals("/health") || path.equals("/healthz")) {
                status = 200;
                body = "{\"status\":\"UP\",\"functions\":\"not in this build\"}";
            } else if (path.equals("/mcp") || path.equals("/mcp/")) {
                status = 200;
                body = "{\"name\":\"trawl\",\"endpoints\":[],\"note\":\"the functions app is not in this build\"}";
            } else {
                status = 404;
                body = "{\"success\":false,\"error\":\"" + path.replace("\"", "") + " is not served: the functions app is not in this build\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
