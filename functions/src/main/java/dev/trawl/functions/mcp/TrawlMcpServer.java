package dev.trawl.functions.mcp;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessServerHandler;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import io.modelcontextprotocol.spec.McpStatelessServerTransport;
import dev.trawl.functions.routes.Route;
import dev.trawl.functions.routes.Role;
import dev.trawl.functions.routes.Routes;
import dev.trawl.functions.routes.Tool;
import dev.trawl.functions.routes.TrawlApi;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds trawl's MCP server from the tool catalogue, for either transport: stateless Streamable
 * HTTP (a Knative function keeps no session in memory, so any replica answers any request) or
 * stdio (a desktop assistant launches {@code ./trawl mcp}).
 */
public final class TrawlMcpServer {
    public static final String NAME = "trawl";
    public static final String INSTRUCTIONS = """
            trawl records a Kubernetes cluster's raw traffic and answers "what API calls happened?" about any moment.
            Typical workflow: list_databases (is the snapshot dissected already?) -> start_dissection of a snapshot ->
            get_dissection until completed -> list_api_calls with db="<snapshot>/<dissection>" and a KFL filter such as
            'http and status >= 400' -> get_api_call for one call's payloads. To keep evidence: get_data_boundaries ->
            create_snapshot -> get_snapshot until completed -> export_snapshot_pcap for a Wireshark file.""";

    /** The transport context's key for the HTTP caller's {@code Authorization} header. */
    public static final String AUTHORIZATION = "authorization";
    /** The transport context's key for the HTTP caller's {@link Role} (absent: nobody asked, as over stdio). */
    public static final String ROLE = "role";

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private TrawlMcpServer() {}

    public static McpStatelessSyncServer stateless(McpStatelessServerTransport transport, TrawlApi api, String version) {
        McpJsonMapper mapper = McpJsonDefaults.getMapper();
        List<McpStatelessServerFeatures.SyncToolSpecification> tools = Routes.tools().stream()
                .map(tool -> new McpStatelessServerFeatures.SyncToolSpecification(
                        toolOf(tool, mapper), (context, request) -> run(tool, request.arguments(), api.as((String) context.get(AUTHORIZATION)))))
                .toList();
        return McpServer.sync(new LifecycleNotificationsAccepted(transport))
                .serverInfo(NAME, version)
                .instructions(INSTRUCTIONS)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(tools)
                .build();
    }

    /**
     * The SDK's stateless server has no handler for any notification and warns of each, so every
     * client's {@code notifications/initialized} (which the protocol requires it to send) was a WARN.
     * A stateless server has nothing to do on initialized, roots/list_changed or cancelled (a call
     * runs to its end within its request): those are accepted quietly; any other still reaches the SDK.
     */
    static final class LifecycleNotificationsAccepted implements McpStatelessServerTransport {
        static final Set<String> NOTHING_TO_DO = Set.of(
                McpSchema.METHOD_NOTIFICATION_INITIALIZED, McpSchema.METHOD_NOTIFICATION_ROOTS_LIST_CHANGED, "notifications/cancelled");
        private final McpStatelessServerTransport transport;

        LifecycleNotificationsAccepted(McpStatelessServerTransport transport) {
            this.transport = transport;
        }

        @Override
        public void setMcpHandler(McpStatelessServerHandler handler) {
            transport.setMcpHandler(new McpStatelessServerHandler() {
                @Override
                public Mono<McpSchema.JSONRPCResponse> handleRequest(McpTransportContext context, McpSchema.JSONRPCRequest request) {
                    Mono<McpSchema.JSONRPCResponse> answer = handler.handleRequest(context, request);
                    if (!McpSchema.METHOD_TOOLS_LIST.equals(request.method()) || !(context.get(ROLE) instanceof Role role)) return answer;
                    return answer.map(response -> response.result() instanceof McpSchema.ListToolsResult list
                            ? new McpSchema.JSONRPCResponse(response.jsonrpc(), response.id(), mayCall(list, role), response.error())
                            : response);
                }

                @Override
                public Mono<Void> handleNotification(McpTransportContext context, McpSchema.JSONRPCNotification notification) {
                    return NOTHING_TO_DO.contains(notification.method()) ? Mono.empty() : handler.handleNotification(context, notification);
                }
            });
        }

        @Override
        public Mono<Void> closeGracefully() {
            return transport.closeGracefully();
        }

        @Override
        public void close() {
            transport.close();
        }

        @Override
        public List<String> protocolVersions() {
            return transport.protocolVersions();
        }
    }

    /**
     * The tools a caller holding {@code role} may call: each tool is its route, which needs a role. A call of
     * another tool still reaches the API, which refuses it (403) and so the tool answers an error naming the role.
     */
    static McpSchema.ListToolsResult mayCall(McpSchema.ListToolsResult tools, Role role) {
        return new McpSchema.ListToolsResult(tools.tools().stream()
                .filter(t -> Routes.named(t.name()).map(r -> role.includes(r.role())).orElse(false))
                .toList(), tools.nextCursor(), tools.meta());
    }

    public static McpSyncServer session(McpServerTransportProvider transport, TrawlApi api, String version) {
        McpJsonMapper mapper = McpJsonDefaults.getMapper();
        List<McpServerFeatures.SyncToolSpecification> tools = Routes.tools().stream()
                .map(tool -> McpServerFeatures.SyncToolSpecification.builder()
                        .tool(toolOf(tool, mapper))
                        .callHandler((exchange, request) -> run(tool, request.arguments(), api))
                        .build())
                .toList();
        return McpServer.sync(transport)
                .serverInfo(NAME, version)
                .instructions(INSTRUCTIONS)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(tools)
                .build();
    }

    static McpSchema.Tool toolOf(Route route, McpJsonMapper mapper) {
        Tool tool = route.tool();
        boolean readOnly = tool.kind() == Tool.Kind.READ_ONLY;
        boolean destructive = tool.kind() == Tool.Kind.DESTRUCTIVE;
        return McpSchema.Tool.builder()
                .name(route.name())
                .title(tool.title())
                .description(tool.description())
                .inputSchema(mapper, route.inputSchema())
                // the SDK checks every answer against it: an answer that does not match becomes a tool error
                .outputSchema(mapper, tool.outputSchema())
                // openWorld: the tools act on a live cluster's traffic, which changes between calls
                .annotations(new McpSchema.ToolAnnotations(tool.title(), readOnly, destructive, readOnly || destructive, true, null))
                .build();
    }

    /** Runs a tool; the API's errors become tool errors (isError) that tell the model what to do next. */
    static CallToolResult run(Route route, Map<String, Object> arguments, TrawlApi api) {
        try {
            Map<String, Object> result = route.call(new Tool.Call(arguments == null ? Map.of() : arguments, api));
            return CallToolResult.builder()
                    .structuredContent(result)
                    .addTextContent(JSON.writeValueAsString(result))
                    .build();
        } catch (TrawlApi.ApiException e) {
            String next = route.tool().nextStep().get(e.status());
            String message = e.getMessage() + (next == null ? "" : "\n" + next);
            return CallToolResult.builder().isError(true).addTextContent(message).build();
        }
    }
}
