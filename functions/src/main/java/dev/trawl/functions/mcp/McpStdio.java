package dev.trawl.functions.mcp;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import java.io.PrintStream;
import java.net.URI;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./trawl mcp}: MCP over stdio for desktop assistants that launch a command. It talks to a
 * running trawl's API ({@code --api URL}, else {@code TRAWL_API_URL}, else the local stack's
 * http://127.0.0.1:8898). Standard output carries only JSON-RPC, so nothing else may print there.
 */
public final class McpStdio {
    private McpStdio() {}

    public static void main(String[] args) throws InterruptedException {
        String api = System.getenv().getOrDefault("TRAWL_API_URL", "http://127.0.0.1:8898");
        for (int i = 0; i < args.length; i++) {
            if ("--api".equals(args[i]) && i + 1 < args.length) api = args[++i];
        }
        // standard output is the JSON-RPC channel: whatever else prints (logs included) goes to stderr
        PrintStream protocol = System.out;
        System.setOut(System.err);
        StdioServerTransportProvider transport = new StdioServerTransportProvider(McpJsonDefaults.getMapper(), System.in, protocol);
        McpSyncServer server = TrawlMcpServer.session(transport, new TrawlApi(URI.create(api)), version());
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.closeGracefully();
            closed.countDown();
        }));
        closed.await();
    }

    static String version() {
        String v = McpStdio.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
