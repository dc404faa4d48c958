package dev.trawl.functions.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.trawl.functions.web.McpIndexController;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.cloud.function.context.FunctionCatalog;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The route table against everything derived from it: what Spring MVC (and Spring Cloud
 * Function) serves, {@code GET /mcp}'s listing, the MCP tools' calls, and the Knative Services and
 * HTTPRoute of knative/base. Each test fails when one of them has a route the table lacks, or lacks one it has.
 */
@SpringBootTest(properties = {"TRAWL_S3_ENDPOINT=http://127.0.0.1:1", "TRAWL_S3_BUCKET=unused"})
class RouteTableTest {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mvc;

    @Autowired
    FunctionCatalog functions;

    @Autowired
    List<FilterRegistrationBean<?>> filters;

    /** What this app serves, as "METHOD /pattern" (Spring's {name} style). */
    private Set<String> served() {
        Set<String> served = new HashSet<>();
        mvc.getHandlerMethods().forEach((info, handler) -> {
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/mcp") && !pattern.startsWith("/health")) continue;
                info.getMethodsCondition().getMethods().forEach(m -> served.add(m.name() + " " + pattern));
            }
        });
        // a Spring Cloud Function bean is served at /mcp/<its name>
        for (Class<?> type : new Class<?>[] {Supplier.class, Function.class, Consumer.class}) {
            for (String name : functions.getNames(type)) {
                if (!name.equals("functionRouter")) served.add((type == Supplier.class ? "GET" : "POST") + " /mcp/" + name);
            }
        }
        // the MCP server is a servlet filter at its path
        for (FilterRegistrationBean<?> filter : filters) {
            filter.getUrlPatterns().stream().filter(p -> p.startsWith("/mcp")).forEach(p -> served.add("POST " + p));
        }
        return served;
    }

    @Test
    void everyRouteOfTheTableIsServedAndNothingElse() {
        Set<String> table = Routes.all().stream().map(r -> r.method() + " " + r.pattern()).collect(Collectors.toSet());
        assertThat(served()).containsExactlyInAnyOrderElementsOf(table);
    }

    @Test
    void theListingIsTheTablesListedRoutesOfTheGroupsServed() {
        assertThat(endpoints(null)).extracting(e -> e.get("method") + " " + e.get("path"))
                .containsExactlyInAnyOrderElementsOf(Routes.all().stream().filter(Route::listed).map(r -> r.method() + " " + r.path()).toList());
        // a group's instance lists its routes and those every instance serves (the audit trail)
        assertThat(endpoints("calls")).extracting(e -> e.get("path")).containsExactly("/mcp/audit", "/mcp/calls", "/mcp/calls/:id", "/mcp/flows", "/mcp/flows/summary", "/mcp/stats");
        assertThat(endpoints("snapshots,mcp")).extracting(e -> e.get("method") + " " + e.get("path"))
                .contains("POST /mcp", "DELETE /mcp/snapshots/:name").doesNotContain("GET /mcp/calls");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> endpoints(String functions) {
        MockEnvironment environment = new MockEnvironment();
        if (functions != null) environment.setProperty("TRAWL_FUNCTIONS", functions);
        var listing = new tools.jackson.databind.json.JsonMapper().convertValue(new McpIndexController(environment).index(), Map.class);
        return (List<Map<String, Object>>) listing.get("endpoints");
    }

    /**
     * Each tool, run against a server that records the requests: it calls its own route with the
     * arguments in their places, and nothing outside the table.
     */
    @Test
    void everyToolCallsItsRouteAndOnlyRoutesOfTheTable() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath());
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, "HEAD".equals(exchange.getRequestMethod()) ? -1 : body.length);
            if (!"HEAD".equals(exchange.getRequestMethod())) exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            TrawlApi api = new TrawlApi(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
            for (Route route : Routes.tools()) {
                requests.clear();
                Map<String, Object> arguments = new LinkedHashMap<>();
                for (Param p : route.params()) {
                    if (p.required()) arguments.put(p.name(), p.name() + "-1");
                }
                route.call(new Tool.Call(arguments, api));
                String own = route.path().replaceAll(":([a-z_]+)", "$1-1");
                assertThat(requests).as(route.name()).anyMatch(r -> r.equals(route.method() + " " + own) || r.equals("HEAD " + own) && route.method().equals("GET"));
                assertThat(requests).as(route.name()).allMatch(r -> Routes.find(r.substring(0, r.indexOf(' ')), r.substring(r.indexOf(' ') + 1)).isPresent());
            }
        } finally {
            server.stop(0);
        }
    }

    /** Each group of the table is a Knative Service's, and the HTTPRoute sends each route's path to a Service that serves its group. */
    @Test
    void theKnativeServicesAndTheirRoutesServeTheTable() {
        Map<String, String> groupsByService = KnativeManifests.functionsByService();
        List<KnativeManifests.Prefix> prefixes = new ArrayList<>(KnativeManifests.routePrefixes());
        prefixes.sort(Comparator.comparing((KnativeManifests.Prefix p) -> p.path().length()).reversed());
        for (Route route : Routes.all()) {
            if (route.group() == null || !route.path().startsWith("/mcp")) continue;
            KnativeManifests.Prefix prefix = prefixes.stream()
                    .filter(p -> route.path().equals(p.path()) || route.path().startsWith(p.path() + "/"))
                    .findFirst().orElseThrow(() -> new AssertionError("no HTTPRoute prefix takes " + route.path()));
            String groups = groupsByService.get(prefix.service());
            assertThat(groups).as(route.path() + " goes to " + prefix.service()).isNotNull();
            assertThat(List.of(groups.split(","))).as(route.path() + " goes to " + prefix.service()).contains(route.group());
        }
        Set<String> tableGroups = Routes.all().stream().map(Route::group).filter(g -> g != null).collect(Collectors.toSet());
        Set<String> deployedGroups = groupsByService.values().stream().flatMap(g -> List.of(g.split(",")).stream()).collect(Collectors.toSet());
        assertThat(deployedGroups).as("the groups of knative/base/serving/functions.yaml").containsExactlyInAnyOrderElementsOf(tableGroups);
        for (KnativeManifests.Prefix prefix : prefixes) {
            assertThat(Routes.all()).as("a route under the HTTPRoute's " + prefix.path())
                    .anyMatch(r -> r.path().equals(prefix.path()) || r.path().startsWith(prefix.path() + "/"));
        }
    }

    @Test
    void findsTheRouteOfARequestAndWhatItNeeds() {
        assertThat(Routes.find("GET", "/mcp/snapshots/incident-1/pcap")).map(Route::name).contains("export_snapshot_pcap");
        assertThat(Routes.find("HEAD", "/mcp/snapshots/incident-1/pcap")).map(Route::role).contains(Role.ANALYST);
        assertThat(Routes.find("delete", "/mcp/dissections/s/d")).map(Route::role).contains(Role.ADMIN);
        assertThat(Routes.find("POST", "/mcp/dissections/s/d/stop")).map(Route::role).contains(Role.OPERATOR);
        assertThat(Routes.find("GET", "/mcp/calls")).map(Route::payloadRole).contains(Role.ANALYST);
        assertThat(Routes.find("GET", "/health")).map(Route::role).contains(Role.ANYONE);
        assertThat(Routes.find("GET", "/mcp/snapshots//pcap")).isEmpty();
        assertThat(Routes.find("PUT", "/mcp/snapshots")).isEmpty();
        assertThat(Routes.find("GET", "/mcp/snapshots/a/b")).isEmpty();
        assertThat(Role.OPERATOR.includes(Role.ANALYST)).isTrue();
        assertThat(Role.ANALYST.includes(Role.OPERATOR)).isFalse();
    }
}
