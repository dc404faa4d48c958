package dev.trawl.functions.mcp;

import dev.trawl.functions.access.Callers;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import dev.trawl.functions.web.FunctionGroup;
import dev.trawl.functions.routes.TrawlApi;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
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
            .jsonMapper(new JsonRpcErrors(McpJsonDefaults.getMapper()))
            .messageEndpoint("/mcp")
            // the caller's credentials ride along: each tool calls the REST API as the caller; tools/list shows what its role may call
            .contextExtractor(McpHttpEndpoint::caller)
            .build();
    private final Environment environment;
    private McpStatelessSyncServer server;

    public McpHttpEndpoint(Environment environment) {
        this.environment = environment;
    }

    /** Runs on the request's thread, where Spring Security has established who is calling. */
    static McpTransportContext caller(HttpServletRequest request) {
        Map<String, Object> context = new LinkedHashMap<>();
        if (request.getHeader("Authorization") != null) context.put(TrawlMcpServer.AUTHORIZATION, request.getHeader("Authorization"));
        Callers.Caller caller = Callers.current();
        if (caller.role() != null) context.put(TrawlMcpServer.ROLE, caller.role());
        return McpTransportContext.create(context);
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

    /**
     * The SDK's servlet transport answers a request it cannot handle (arguments that are not an
     * object, a body that is not JSON-RPC) by serialising its exception, stack trace and all, which
     * no client reads as JSON-RPC. Such an exception is written as the JSON-RPC error it carries.
     */
    static final class JsonRpcErrors implements McpJsonMapper {
        private final McpJsonMapper json;

        JsonRpcErrors(McpJsonMapper json) {
            this.json = json;
        }

        private Object answer(Object value) {
            if (!(value instanceof McpError error)) return value;
            McpSchema.JSONRPCResponse.JSONRPCError carried = error.getJsonRpcError();
            Map<String, Object> rpcError = new LinkedHashMap<>();
            rpcError.put("code", carried != null ? carried.code() : McpSchema.ErrorCodes.INTERNAL_ERROR);
            rpcError.put("message", carried != null ? carried.message() : String.valueOf(error.getMessage()));
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("jsonrpc", McpSchema.JSONRPC_VERSION);
            // the transport has lost the request's id by then: JSON-RPC says null for an id it could not read
            response.put("id", null);
            response.put("error", rpcError);
            return response;
        }

        @Override
        public String writeValueAsString(Object value) throws IOException {
            return json.writeValueAsString(answer(value));
        }

        @Override
        public byte[] writeValueAsBytes(Object value) throws IOException {
            return json.writeValueAsBytes(answer(value));
        }

        @Override
        public <T> T readValue(String content, Class<T> type) throws IOException {
            return json.readValue(content, type);
        }

        @Override
        public <T> T readValue(byte[] content, Class<T> type) throws IOException {
            return json.readValue(content, type);
        }

        @Override
        public <T> T readValue(String content, TypeRef<T> type) throws IOException {
            return json.readValue(content, type);
        }

        @Override
        public <T> T readValue(byte[] content, TypeRef<T> type) throws IOException {
            return json.readValue(content, type);
        }

        @Override
        public <T> T convertValue(Object value, Class<T> type) {
            return json.convertValue(value, type);
        }

        @Override
        public <T> T convertValue(Object value, TypeRef<T> type) {
            return json.convertValue(value, type);
        }
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
        // after Spring Security's chain: an MCP request is authenticated (and audited) like any other
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER + 10);
        return registration;
    }
}
