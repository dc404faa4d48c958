package dev.trawl.functions.mcp;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import dev.trawl.functions.web.FunctionGroup;
import dev.trawl.functions.web.McpEndpoint;
import dev.trawl.functions.web.McpEndpointGroup;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * MCP over Streamable HTTP at {@code /mcp}, beside the REST paths: a JSON-RPC POST goes to the
 * MCP server, while a plain {@code GET /mcp} still reaches the endpoint listing. The server is
 * stateless, so every replica of the function can answer every request.
 */
@Configuration(proxyBeanMethods = false)
@FunctionGroup("mcp")
public class McpHttpEndpoint implements ApplicationListener<WebServerInitializedEvent> {
    private final HttpServletStatelessServerTransport transport = HttpServletStatelessServerTransport.builder()
            .jsonMapper(McpJsonDefaults.getMapper())
            .messageEndpoint("/mcp")
            .build();
    private final Environment environment;
    private McpStatelessSyncServer server;

    public McpHttpEndpoint(Environment environment) {
        this.environment = environment;
    }

    /**
     * JSON-RPC is POSTed; a client that asks for a server-sent event stream (GET with
     * {@code Accept: text/event-stream}) or ends a session (DELETE) is answered by the MCP
     * transport too (405: a stateless server has neither). Any other GET is the REST listing.
     */
    static boolean isMcpTraffic(HttpServletRequest request) {
        return switch (request.getMethod()) {
            case "POST", "DELETE" -> true;
            case "GET" -> String.valueOf(request.getHeader("Accept")).contains("text/event-stream");
            default -> false;
        };
    }

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        if (server != null) return;
        // the tools call the REST API: this very app unless TRAWL_API_URL names a gateway (the cluster)
        String api = environment.getProperty("TRAWL_API_URL", "http://127.0.0.1:" + event.getWebServer().getPort());
        server = TrawlMcpServer.stateless(transport, new TrawlApi(URI.create(api)), McpStdio.version());
    }

    @Bean
    McpEndpointGroup mcpProtocolEndpoints() {
        return () -> List.of(new McpEndpoint("POST", "/mcp",
                "Model Context Protocol (JSON-RPC 2.0, Streamable HTTP, stateless): every endpoint here as a tool for AI assistants"));
    }

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> mcpJsonRpcFilter() {
        OncePerRequestFilter filter = new OncePerRequestFilter() {
            @Override
            protected boolean shouldNotFilter(HttpServletRequest request) {
                return !"/mcp".equals(request.getRequestURI()) || !isMcpTraffic(request);
            }

            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                if (server == null) {
                    response.sendError(503, "the MCP server is starting");
                    return;
                }
                transport.service(request, response);
            }
        };
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(filter);
        registration.addUrlPatterns("/mcp");
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        return registration;
    }
}
