package dev.trawl.capture.metrics;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** {@code GET /metrics} in Prometheus' text format, for the pod's scrape annotation. */
public final class MetricsHttpServer implements AutoCloseable {
    private final HttpServer server;

    /** On {@code host} (null or blank: every interface) and {@code port}. */
    public MetricsHttpServer(PrometheusMeterRegistry registry, String host, int port) throws IOException {
        InetSocketAddress address = host == null || host.isBlank() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        try {
            server = HttpServer.create(address, 0);
        } catch (java.net.BindException e) {
            throw new IOException("metrics endpoint: cannot listen on " + address + " (TRAWL_CAPTURE_METRICS_PORT): " + e.getMessage(), e);
        }
        server.createContext("/metrics", exchange -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        var a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "0.0.0.0" : a.getAddress().getHostAddress();
        return "http://" + host + ":" + a.getPort() + "/metrics";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
