package dev.trawl.functions.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.access.EventsToken;
import dev.trawl.core.access.Secrets;
import dev.trawl.embedded.EmbeddedS3;
import dev.trawl.functions.routes.Role;
import dev.trawl.functions.routes.Role;
import dev.trawl.functions.routes.Route;
import dev.trawl.functions.routes.Routes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API with {@code TRAWL_AUTH=tokens,oidc}, over real HTTP: API tokens of each role from a
 * tokens file and JWTs of each role signed by a local issuer's key, against every route of the
 * route table (so a new endpoint is covered as soon as it is in the table), plus the refusals a
 * browser or a forger meets, the settings a Function bean would leak, and the audit trail they leave.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AccessControlTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String AUDIENCE = "trawl-api";
    static final String EVENTS_TOKEN = Secrets.generate();
    static final Path WORK;
    static final Path TOKENS;
    static final EmbeddedS3 S3;
    static final TestIssuer ISSUER;
    static final Map<Role, String> API_TOKENS = new EnumMap<>(Role.class);
    static final Map<Role, String> GROUPS = Map.of(Role.VIEWER, "trawl-viewers", Role.ANALYST, "trawl-analysts",
            Role.OPERATOR, "trawl-operators", Role.ADMIN, "trawl-admins");

    static {
        try {
            WORK = Files.createTempDirectory("access-control");
            S3 = EmbeddedS3.startForTest(WORK.resolve("s3"));
            ISSUER = new TestIssuer();
            TOKENS = WORK.resolve("tokens");
            StringBuilder lines = new StringBuilder("# hash role name\n");
            for (Role role : List.of(Role.VIEWER, Role.ANALYST, Role.OPERATOR, Role.ADMIN)) {
                String token = "trawl_" + Secrets.generate();
                API_TOKENS.put(role, token);
                lines.append(Secrets.sha256Hex(token)).append(' ').append(role.id()).append(' ').append(role.id()).append("-bot\n");
            }
            Files.writeString(TOKENS, lines);
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) {
        S3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("TRAWL_AUTH", () -> "tokens,oidc");
        registry.add("TRAWL_AUTH_TOKENS_FILE", TOKENS::toString);
        registry.add("TRAWL_AUTH_OIDC_ISSUER", ISSUER::issuer);
        registry.add("TRAWL_AUTH_OIDC_AUDIENCE", () -> AUDIENCE);
        registry.add("TRAWL_AUTH_OIDC_ROLE_MAP", () -> "trawl-viewers=viewer,trawl-analysts=analyst,trawl-operators=operator,trawl-admins=admin");
        registry.add("TRAWL_EVENTS_TOKEN", () -> EVENTS_TOKEN);
        // nothing listens there: the calls endpoints fail after the access check, which is what is checked
        registry.add("TRAWL_CLICKHOUSE_URL", () -> "http://127.0.0.1:9");
        registry.add("TRAWL_AUDIT_FLUSH_MS", () -> "200");
    }

    @AfterAll
    static void stop() throws Exception {
        ISSUER.close();
        S3.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Autowired
    S3Client s3;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> call(String method, String path, String token, String... headers) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        boolean withBody = method.equals("POST");
        b.method(method, withBody ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody());
        if (withBody) b.header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    String jwt(Role role) throws Exception {
        return ISSUER.token(role.id() + "-person", List.of("staff", GROUPS.get(role)), AUDIENCE, 300);
    }

    /** A request path for a rule: every parameter names something that does not exist, so an allowed call changes nothing. */
    static String concrete(String path) {
        return path.replaceAll(":[A-Za-z_]+", "no-such-thing");
    }

    @Test
    void everyEndpointAnswersEachRoleAsItsRuleSays() throws Exception {
        assertThat(Routes.all()).hasSizeGreaterThan(15);
        List<String> failures = new ArrayList<>();
        List<Route> routes = new ArrayList<>();
        for (Route route : Routes.all()) {
            if (route.role() == Role.ANYONE) continue;
            routes.add(route);
            // a HEAD is checked as its GET
            if (route.method().equals("GET")) routes.add(new Route(route.name(), route.group(), "HEAD", route.path(), route.role(),
                    route.payloadRole(), route.summary(), route.params(), null));
        }
        for (Route rule : routes) {
            String method = rule.method();
            String path = concrete(rule.path());
            var anonymous = call(method, path, null);
            if (anonymous.statusCode() != 401 || !anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer")) {
                failures.add(method + " " + path + " without a token: " + anonymous.statusCode() + " " + anonymous.headers().map());
            }
            for (Role role : List.of(Role.VIEWER, Role.ANALYST, Role.OPERATOR, Role.ADMIN)) {
                for (var kind : List.of("token", "jwt")) {
                    String token = kind.equals("token") ? API_TOKENS.get(role) : jwt(role);
                    var answer = call(method, path, token);
                    boolean allowed = role.includes(rule.role());
                    if (allowed && (answer.statusCode() == 401 || answer.statusCode() == 403)) {
                        failures.add(method + " " + path + " as " + role.id() + " (" + kind + "): refused " + answer.statusCode() + " " + answer.body());
                    }
                    // a HEAD answer has no body to name the role in
                    boolean named = method.equals("HEAD") || answer.body().contains("'" + rule.role().id() + "'");
                    if (!allowed && (answer.statusCode() != 403 || !named)) {
                        failures.add(method + " " + path + " as " + role.id() + " (" + kind + "): " + answer.statusCode() + " " + answer.body());
                    }
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void aMissingOrBadCredentialIsA401ThatSaysWhereToAuthenticate() throws Exception {
        var none = call("GET", "/mcp/snapshots", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(JSON.readTree(none.body()).get("success").asBoolean()).isFalse();
        String challenge = none.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertThat(challenge).startsWith("Bearer").contains("resource_metadata=\"http://127.0.0.1:" + port + "/.well-known/oauth-protected-resource\"");

        var metadata = call("GET", "/.well-known/oauth-protected-resource", null);
        assertThat(metadata.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(metadata.body()).get("authorization_servers").get(0).asString()).isEqualTo(ISSUER.issuer());

        String admin = Role.ADMIN.id();
        for (String bad : List.of(
                "not-a-token",
                API_TOKENS.get(Role.ADMIN) + "x",
                ISSUER.token("someone", List.of(GROUPS.get(Role.ADMIN)), "another-api", 300),
                ISSUER.token("someone", List.of(GROUPS.get(Role.ADMIN)), AUDIENCE, -600),
                ISSUER.forged("someone", List.of(GROUPS.get(Role.ADMIN)), AUDIENCE))) {
            var r = call("GET", "/mcp/snapshots", bad);
            assertThat(r.statusCode()).as("%s: %s", bad, r.body()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("invalid_token");
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("at org.");
        }
        assertThat(admin).isEqualTo("admin");
        // a JWT whose groups map to no role is known, but may do nothing
        var stranger = call("GET", "/mcp/snapshots", ISSUER.token("stranger", List.of("staff"), AUDIENCE, 300));
        assertThat(stranger.statusCode()).isEqualTo(403);
        assertThat(stranger.body()).contains("'viewer'").contains("no role");
    }

    @Test
    void healthIsOpen() throws Exception {
        assertThat(call("GET", "/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenAddedToTheFileWorksWithoutARestart() throws Exception {
        String token = "trawl_" + Secrets.generate();
        assertThat(call("GET", "/mcp/snapshots", token).statusCode()).isEqualTo(401);
        Files.writeString(TOKENS, Secrets.sha256Hex(token) + " viewer late-bot  # added while running\n", StandardOpenOption.APPEND);
        long deadline = System.nanoTime() + 30_000_000_000L;
        int status;
        while ((status = call("GET", "/mcp/snapshots", token).statusCode()) == 401 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            Files.setLastModifiedTime(TOKENS, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        }
        assertThat(status).isEqualTo(200);
    }

    @Test
    void aForeignHostOrOriginOrAPlainTextPostIsRefused() throws Exception {
        String admin = API_TOKENS.get(Role.ADMIN);
        assertThat(raw("GET /mcp/snapshots HTTP/1.1", "Host: rebound.attacker.example", "Authorization: Bearer " + admin))
                .startsWith("HTTP/1.1 403");
        assertThat(raw("GET /mcp/snapshots HTTP/1.1", "Host: localhost:" + port, "Authorization: Bearer " + admin))
                .startsWith("HTTP/1.1 200");
        // the cross-site POST a web page can send without a preflight: text/plain
        var plain = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"delete_snapshot\",\"arguments\":{\"name\":\"x\"}}}"))
                .build();
        var r = http.send(plain, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("application/json");
        var foreign = call("DELETE", "/mcp/snapshots/no-such-thing", admin, "Origin", "https://evil.example");
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.body()).contains("Origin");
        // no CORS unless configured: a preflight gets no Access-Control-Allow-Origin
        var preflight = call("OPTIONS", "/mcp/snapshots", null, "Origin", "https://evil.example", "Access-Control-Request-Method", "DELETE");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void anEventWithoutTheEventsTokenIsRefused() throws Exception {
        String[] event = {"ce-specversion", "1.0", "ce-id", "forged-1", "ce-type", "dev.trawl.dissection.stop.requested",
                "ce-source", "/attacker", "Content-Type", "application/json"};
        var forged = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events")).headers(event)
                .POST(HttpRequest.BodyPublishers.ofString("{\"snapshot\":\"s\",\"name\":\"d\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(401);
        var wrong = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events")).headers(event)
                .header(EventsToken.HEADER, EVENTS_TOKEN + "x")
                .POST(HttpRequest.BodyPublishers.ofString("{\"snapshot\":\"s\",\"name\":\"d\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        var fromBroker = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events")).headers(event)
                .header(EventsToken.HEADER, EVENTS_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"snapshot\":\"s\",\"name\":\"d\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fromBroker.statusCode()).isBetween(200, 299);
    }

    @Test
    void noFunctionBeanIsReachableUnlessItIsAnEndpoint() throws Exception {
        var endpoints = new TreeSet<String>();
        for (Route route : Routes.all()) endpoints.add(route.path());
        var beans = new TreeSet<String>();
        for (Class<?> type : List.of(Function.class, Supplier.class, Consumer.class)) beans.addAll(List.of(context.getBeanNamesForType(type)));
        assertThat(beans).as("the capture endpoints are Supplier beans").isNotEmpty();
        String secret = S3.settings().toEnv().get("AWS_SECRET_ACCESS_KEY");
        List<String> reachable = new ArrayList<>();
        for (String bean : beans) {
            for (String path : List.of("/mcp/" + bean, "/mcp/" + bean + "/AWS_SECRET_ACCESS_KEY", "/" + bean + "/AWS_SECRET_ACCESS_KEY")) {
                if (endpoints.contains(path)) continue;
                for (String method : List.of("GET", "POST")) {
                    var r = call(method, path, API_TOKENS.get(Role.ADMIN));
                    if (r.statusCode() != 404 || r.body().contains(secret)) reachable.add(method + " " + path + ": " + r.statusCode() + " " + r.body());
                }
            }
        }
        assertThat(reachable).isEmpty();
        // Spring Cloud Function's routing headers pick a function (or run SpEL) by the caller's choice
        var routed = call("GET", "/mcp/raw-capture", API_TOKENS.get(Role.ADMIN), "spring.cloud.function.definition", "trawlEnv");
        assertThat(routed.statusCode()).isEqualTo(400);
    }

    @Test
    void refusalsAndAuditedActionsLandInTheAuditTrail() throws Exception {
        String since = java.time.Instant.now().minusSeconds(1).toString();
        call("DELETE", "/mcp/snapshots/audit-probe", API_TOKENS.get(Role.VIEWER));          // refused
        call("DELETE", "/mcp/snapshots/audit-probe", API_TOKENS.get(Role.ADMIN));           // allowed, 404
        call("GET", "/mcp/snapshots/audit-probe/pcap", jwt(Role.ANALYST));                  // export, 404
        call("GET", "/mcp/snapshots/audit-probe/pcap?presign=true", API_TOKENS.get(Role.ANALYST));
        call("POST", "/mcp/dissections", API_TOKENS.get(Role.OPERATOR));                    // create, 400
        call("GET", "/mcp/snapshots", "garbage");                                           // 401
        call("GET", "/mcp/snapshots", API_TOKENS.get(Role.VIEWER));                         // not audited

        var denied = call("GET", "/mcp/audit", API_TOKENS.get(Role.OPERATOR));
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).contains("'admin'");

        var r = call("GET", "/mcp/audit?limit=1000&since=" + since, API_TOKENS.get(Role.ADMIN));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<String> lines = new ArrayList<>();
        for (JsonNode rec : JSON.readTree(r.body()).get("records")) {
            if (!rec.get("target").asString().contains("audit-probe") && !rec.get("target").asString().equals("/mcp/dissections")
                    && !(rec.get("status").asInt() == 401 && rec.get("target").asString().equals("/mcp/snapshots"))) continue;
            assertThat(rec.get("client").asString()).isEqualTo("127.0.0.1");
            assertThat(rec.get("time").asString()).isNotBlank();
            lines.add(String.join(" ", rec.get("actor").asString(), rec.get("role").asString(), rec.get("auth").asString(),
                    rec.get("action").asString(), rec.get("target").asString(), rec.get("outcome").asString(), rec.get("status").asString()));
        }
        assertThat(lines).contains(
                "viewer-bot viewer token delete_snapshot /mcp/snapshots/audit-probe refused 403",
                "admin-bot admin token delete_snapshot /mcp/snapshots/audit-probe failed 404",
                "analyst-person analyst oidc export_snapshot_pcap /mcp/snapshots/audit-probe/pcap failed 404",
                "analyst-bot analyst token presign_snapshot_pcap /mcp/snapshots/audit-probe/pcap failed 404",
                "operator-bot operator token start_dissection /mcp/dissections failed 400",
                "unauthenticated  none list_snapshots /mcp/snapshots refused 401");
        assertThat(lines).noneMatch(l -> l.startsWith("viewer-bot viewer token list_snapshots"));

        // the records are objects under audit/ in S3, one per batch, not one per request
        var objects = s3.listObjectsV2(b -> b.bucket("trawl").prefix("audit/")).contents();
        assertThat(objects).isNotEmpty();
        long records = 0;
        for (var object : objects) {
            records += new String(s3.getObjectAsBytes(b -> b.bucket("trawl").key(object.key())).asByteArray(), StandardCharsets.UTF_8)
                    .lines().filter(l -> !l.isBlank()).count();
        }
        assertThat(records).as("records in %s objects", objects.size()).isGreaterThan(objects.size());
    }

    /** One request over a plain socket: the only way to send a Host of one's choosing, as a rebinding page's browser does. */
    String raw(String requestLine, String... headers) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder(requestLine).append("\r\n");
            for (String h : headers) request.append(h).append("\r\n");
            request.append("Connection: close\r\n\r\n");
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }
}
