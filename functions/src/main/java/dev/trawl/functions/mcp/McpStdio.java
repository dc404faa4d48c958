package dev.trawl.functions.mcp;

import dev.trawl.functions.routes.TrawlApi;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.ProtocolVersions;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./trawl mcp}: MCP over stdio for desktop assistants that launch a command. It talks to a
 * running trawl's API ({@code --api URL}, or {@code --port-offset N} for a local stack started
 * with that offset, else {@code TRAWL_API_URL}, else the local stack's http://127.0.0.1:8898), with the
 * bearer token in {@code TRAWL_API_TOKEN} when the API asks for one.
 * Standard output carries only JSON-RPC, so nothing else may print there. It exits when the
 * assistant closes its standard input, as the MCP stdio transport expects of a server.
 */
public final class McpStdio {
    static final int LOCAL_API_PORT = 8898;
    static final String USAGE = "usage: trawl mcp [--api URL | --port-offset N]";

    private McpStdio() {}

    public static void main(String[] args) throws InterruptedException {
        String api;
        try {
            api = apiUrl(args, System.getenv("TRAWL_API_URL"));
        } catch (IllegalArgumentException e) {
            System.err.println("trawl mcp: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        // standard output is the JSON-RPC channel: whatever else prints (logs included) goes to stderr
        PrintStream protocol = System.out;
        System.setOut(System.err);
        CountDownLatch closed = new CountDownLatch(1); // counted down at the end of standard input
        InputStream requests = new FilterInputStream(System.in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) closed.countDown();
                return n;
            }

            @Override
            public int read() throws IOException {
                int c = super.read();
                if (c < 0) closed.countDown();
                return c;
            }
        };
        McpSyncServer server = TrawlMcpServer.session(new CurrentStdioTransport(requests, protocol), apiAs(URI.create(api), System.getenv("TRAWL_API_TOKEN")), version());
        Runtime.getRuntime().addShutdownHook(new Thread(server::closeGracefully));
        closed.await();
        // the assistant hung up; the HTTP client's and the SDK's threads would keep the JVM up
        System.exit(0);
    }

    /** The API called with {@code TRAWL_API_TOKEN} as its bearer token, when one is set (the API's TRAWL_AUTH asks for it). */
    static TrawlApi apiAs(URI api, String token) {
        return new TrawlApi(api).as(token == null || token.isBlank() ? null : "Bearer " + token.strip());
    }

    /** Where trawl's API is: {@code --api URL}, {@code --port-offset N} (the local stack's port moved by N), the environment's URL, or the local stack's. */
    static String apiUrl(String[] args, String environmentUrl) {
        String api = null;
        Integer offset = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--api" -> {
                    if (i + 1 >= args.length) throw new IllegalArgumentException("--api needs a URL, e.g. http://127.0.0.1:8898");
                    api = args[++i];
                }
                case "--port-offset" -> {
                    if (i + 1 >= args.length) throw new IllegalArgumentException("--port-offset needs the number './trawl up --port-offset' was given");
                    try {
                        offset = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port-offset needs a number, not '" + args[i] + "'");
                    }
                    if (offset < 0 || offset > 50_000) throw new IllegalArgumentException("--port-offset must be between 0 and 50000");
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
            }
        }
        if (api != null && offset != null) throw new IllegalArgumentException("give --api or --port-offset, not both");
        if (api != null) return api;
        if (offset != null) return "http://127.0.0.1:" + (LOCAL_API_PORT + offset);
        return environmentUrl != null && !environmentUrl.isBlank() ? environmentUrl : "http://127.0.0.1:" + LOCAL_API_PORT;
    }

    static String version() {
        String v = McpStdio.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * The SDK's stdio transport offers only the 2024-11-05 protocol, so a current client would be
     * talked down to it (no structured tool output there). Framing over stdio is the same in every
     * version, so it offers all the versions the SDK's sessions speak; the newest is chosen.
     */
    static final class CurrentStdioTransport extends StdioServerTransportProvider {
        CurrentStdioTransport(InputStream in, PrintStream out) {
            super(McpJsonDefaults.getMapper(), in, out);
        }

        @Override
        public List<String> protocolVersions() {
            return List.of(ProtocolVersions.MCP_2024_11_05, ProtocolVersions.MCP_2025_03_26,
                    ProtocolVersions.MCP_2025_06_18, ProtocolVersions.MCP_2025_11_25);
        }
    }
}
