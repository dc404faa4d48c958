package dev.trawl.local;

import dev.trawl.core.LocalStacks;
import dev.trawl.core.Names;
import dev.trawl.core.access.BrowserGuard;
import dev.trawl.core.access.EventsToken;
import dev.trawl.core.access.Secrets;
import dev.trawl.core.clickhouse.ClickHouseAnalyst;
import dev.trawl.embedded.EmbeddedS3;
import dev.trawl.embedded.clickhouse.ClickHouseHttpFront;
import dev.trawl.embedded.clickhouse.EmbeddedClickHouse;
import dev.trawl.local.events.EventRouter;
import dev.trawl.local.events.Trigger;
import dev.trawl.local.events.TriggerFile;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * trawl on one machine: an S3 (s3proxy over {@code <data>/s3}), a ClickHouse (chDB over
 * {@code <data>/clickhouse} behind the ClickHouse HTTP interface, unless {@code TRAWL_CLICKHOUSE_URL}
 * names a server), the event router that applies {@code knative/}'s Triggers, and whichever of the
 * functions app, the dissector and the capture daemon this build contains, each given the same
 * configuration names a pod gets.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);
    static final String FUNCTIONS_APP = "dev.trawl.functions.FunctionsApplication";
    static final String DISSECTOR_APP = "dev.trawl.dissector.DissectorApplication";
    static final String CAPTURE_LAUNCHER = "dev.trawl.capture.CaptureLauncher";

    /** Where things listen and what runs. Port 0 picks a free port (tests). */
    public record Options(Path dataDir, String host, int s3Port, int clickHousePort, int routerPort, int apiPort,
                          int dissectorPort, int captureMetricsPort, boolean capture, Function<String, String> env) {
        public static Options defaults(Path dataDir) {
            return new Options(dataDir, "127.0.0.1", 9000, 8123, 8890, 8898, 8899, 9464, true, System::getenv);
        }

        public static Options forTest(Path dataDir) {
            return new Options(dataDir, "127.0.0.1", 0, 0, 0, 0, 0, 0, false, System::getenv);
        }

        /** Every port moved up by {@code offset}: a second stack beside the first. */
        public Options withPortOffset(int offset) {
            return new Options(dataDir, host, s3Port + offset, clickHousePort + offset, routerPort + offset, apiPort + offset,
                    dissectorPort + offset, captureMetricsPort + offset, capture, env);
        }

        public Options withCapture(boolean on) {
            return new Options(dataDir, host, s3Port, clickHousePort, routerPort, apiPort, dissectorPort, captureMetricsPort, on, env);
        }

        public Options withEnv(Function<String, String> lookup) {
            return new Options(dataDir, host, s3Port, clickHousePort, routerPort, apiPort, dissectorPort, captureMetricsPort, capture, lookup);
        }
    }

    private final Options options;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Map<String, String> listening = new LinkedHashMap<>();
    private final Map<String, String> problems = new LinkedHashMap<>();
    private final Map<String, SpringApp> apps = new LinkedHashMap<>();
    private EmbeddedS3 s3;
    private EmbeddedClickHouse clickhouse;
    private LocalSecrets secrets;
    private EventRouter router;
    private URI apiUrl;
    private URI dissectorUrl;

    private LocalStack(Options options) {
        this.options = options;
    }

    public static LocalStack start(Options options) throws Exception {
        LocalStack stack = new LocalStack(options);
        try {
            stack.startAll();
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        Path data = options.dataDir().toAbsolutePath().normalize();
        String host = options.host();
        ownerOnly(data);

        s3 = bind("S3", options.s3Port(), () -> EmbeddedS3.start(data.resolve("s3"), host, options.s3Port(), "trawl"));
        started.push(s3);
        settings.putAll(s3.settings().toEnv());

        String externalClickHouse = options.env().apply("TRAWL_CLICKHOUSE_URL");
        if (externalClickHouse != null && !externalClickHouse.isBlank()) {
            settings.put("TRAWL_CLICKHOUSE_URL", externalClickHouse);
            copy("TRAWL_CLICKHOUSE_USER");
            copy("TRAWL_CLICKHOUSE_PASSWORD");
            listening.put("ClickHouse", externalClickHouse + "  (TRAWL_CLICKHOUSE_URL: a server of yours; chDB is not loaded)");
        } else {
            secrets = LocalSecrets.load(data, options.env(), "TRAWL_CLICKHOUSE_PASSWORD", ClickHouseAnalyst.PASSWORD_VARIABLE);
            clickhouse = bind("ClickHouse", options.clickHousePort(), () -> EmbeddedClickHouse.start(data.resolve("clickhouse"), host,
                    options.clickHousePort(), secrets.get("TRAWL_CLICKHOUSE_PASSWORD")));
            started.push(clickhouse);
            settings.putAll(clickhouse.toEnv());
            // chDB has one built-in user: the front holds the analysts' read-only login (ClickHouseAnalyst.USER)
            String analystPassword = secrets.get(ClickHouseAnalyst.PASSWORD_VARIABLE);
            settings.put(ClickHouseAnalyst.PASSWORD_VARIABLE, analystPassword);
            clickhouse.front().addUser(new ClickHouseHttpFront.User(ClickHouseAnalyst.USER, analystPassword, true));
        }

        // a secret per stack: only the router's events reach /events (a forged one cannot cancel a dissection)
        if (options.env().apply(EventsToken.VARIABLE) == null) settings.put(EventsToken.VARIABLE, Secrets.generate());
        else copy(EventsToken.VARIABLE);
        Function<String, String> stackSettings = lookup();
        // who may call the API: the apps read these like any other setting (./trawl up --auth sets them)
        for (String name : new String[] {"TRAWL_AUTH", "TRAWL_AUTH_TOKENS_FILE"}) copy(name);

        router = bind("events", options.routerPort(), () -> EventRouter.start(host, options.routerPort(), TriggerFile.packaged(),
                EventsToken.from(stackSettings), BrowserGuard.from(stackSettings)));
        started.push(router);
        settings.put("K_SINK", router.url().toString());
        settings.put("TRAWL_CAPTURE_SPOOL_DIR", data.resolve("spool").toString());
        // the dissections' job repository, so a dissection cut by a stop of the stack resumes at the next start
        if (options.env().apply("TRAWL_JOB_REPOSITORY_URL") == null) {
            settings.put("TRAWL_JOB_REPOSITORY_URL", "jdbc:h2:file:" + data.resolve("jobs").resolve("batch").toAbsolutePath());
        }
        if (options.env().apply("TRAWL_NODE") == null) settings.put("TRAWL_NODE", localNodeName());

        Optional<Class<?>> functions = SpringApp.find(FUNCTIONS_APP);
        SpringApp functionsApp = functions.isEmpty() ? null
                : startApp("API", "functions", functions.get(), options.apiPort());
        if (functionsApp != null) {
            apiUrl = URI.create("http://" + host + ":" + functionsApp.port());
        } else {
            FallbackApi api = bind("API", options.apiPort(), () -> FallbackApi.start(host, options.apiPort()));
            started.push(api);
            apiUrl = URI.create("http://" + host + ":" + api.port());
            if (functions.isEmpty()) {
                log.warn("this build has no functions app ({}): {} answers only /mcp and /health", FUNCTIONS_APP, apiUrl);
                problems.putIfAbsent("API", "the functions app is not in this build: only /mcp and /health answer");
            }
        }

        Optional<Class<?>> dissector = SpringApp.find(DISSECTOR_APP);
        SpringApp dissectorApp = dissector.isEmpty() ? null
                : startApp("Dissector", "dissector", dissector.get(), options.dissectorPort());
        if (dissectorApp != null) {
            dissectorUrl = URI.create("http://" + host + ":" + dissectorApp.port());
        } else if (dissector.isEmpty()) {
            log.warn("this build has no dissector ({}): dissection events are not delivered", DISSECTOR_APP);
        }
        subscribeLocalApps();
        // other stacks' live captures on this host leave these ports out (and this one theirs)
        started.push(LocalStacks.from(options.env()).register(ownPorts()));

        if (options.capture()) startCapture();
    }

    /**
     * The Triggers name Knative subscribers; here each is one of the local apps: the dissector
     * Service and the JobSink are the dissector app (its {@code /events} runs a job in-process), every
     * other Service is a group of the functions app.
     */
    /**
     * Starts one of the apps. One that fails is reported (in the log and the summary) and the rest
     * of the stack runs on: storage and the other apps stay usable while one part is broken.
     */
    private SpringApp startApp(String what, String name, Class<?> main, int port) throws Exception {
        try {
            SpringApp app = bind(what, port, () -> SpringApp.start(name, main, options.host(), port, settings));
            started.push(app);
            apps.put(name, app);
            return app;
        } catch (IllegalStateException portInUse) {
            if (String.valueOf(portInUse.getMessage()).contains("already in use")) throw portInUse;
            return failed(what, main, portInUse);
        } catch (RuntimeException e) {
            return failed(what, main, e);
        }
    }

    private SpringApp failed(String what, Class<?> main, Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        log.error("{} ({}) failed to start; the stack runs without it: {}", what, main.getName(), root.toString());
        problems.put(what, "FAILED to start: " + root);
        return null;
    }

    private void subscribeLocalApps() {
        for (Trigger t : router.triggers()) {
            boolean dissects = t.subscriberKind().equals("JobSink") || t.subscriberName().equals("trawl-dissector");
            URI base = dissects ? dissectorUrl : apiUrl;
            if (base == null) continue;
            if (t.subscriberKind().equals("JobSink")) base = URI.create(base + "/events");
            else if (!t.subscriberKind().equals("Service")) {
                log.warn("Trigger {}: no local stand-in for a {}", t.name(), t.subscriberKind());
                continue;
            }
            router.subscribe(t.subscriberKind(), t.subscriberName(), base);
        }
    }

    private void startCapture() {
        Optional<Class<?>> launcher = SpringApp.find(CAPTURE_LAUNCHER);
        if (launcher.isEmpty()) {
            log.warn("this build has no capture daemon ({}): nothing is captured", CAPTURE_LAUNCHER);
            return;
        }
        try {
            Method launch = launcher.get().getMethod("launchServingMetrics", Function.class);
            if (options.env().apply("TRAWL_CAPTURE_METRICS_PORT") == null) {
                settings.put("TRAWL_CAPTURE_METRICS_PORT", String.valueOf(options.captureMetricsPort()));
            }
            if (options.env().apply("TRAWL_CAPTURE_METRICS_HOST") == null) settings.put("TRAWL_CAPTURE_METRICS_HOST", options.host());
            if (options.env().apply("TRAWL_CAPTURE_EXCLUDE_PORTS") == null) {
                // trawl's own traffic is where this stack listens, which --port-offset moves
                settings.put("TRAWL_CAPTURE_EXCLUDE_PORTS", ownPorts().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(",")));
            }
            Function<String, String> lookup = lookup();
            Object launched = launch.invoke(null, lookup);
            started.push((AutoCloseable) launched);
            Object mode = launched.getClass().getMethod("mode").invoke(launched);
            Object reason = launched.getClass().getMethod("reason").invoke(launched);
            listening.put("Capture", mode + ": " + reason);
            Object metrics = launched.getClass().getMethod("metricsUrl").invoke(launched);
            if (metrics != null) listening.put("Capture metrics", metrics.toString());
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String why = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
            log.warn("capture did not start: {}", why);
            listening.put("Capture", "not running: " + why);
        }
    }

    /**
     * The data directory and what is created in it are the owner's only: captures, tables and
     * passwords. {@code ./trawl} also runs the JVM under umask 077, so files that s3proxy and chDB
     * create are 0600 too.
     */
    private static void ownerOnly(Path data) throws IOException {
        var owner = java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");
        java.nio.file.Files.createDirectories(data, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(owner));
        java.nio.file.Files.setPosixFilePermissions(data, owner);
    }

    /** The ports this stack listens on. */
    java.util.SortedSet<Integer> ownPorts() {
        var own = new java.util.TreeSet<Integer>();
        own.add(s3.endpoint().getPort());
        if (clickhouse != null) own.add(clickhouse.port());
        own.add(router.url().getPort());
        own.add(apiUrl.getPort());
        if (dissectorUrl != null) own.add(dissectorUrl.getPort());
        if (options.captureMetricsPort() > 0) own.add(options.captureMetricsPort());
        return own;
    }

    /** This machine's name as a node name (valid per {@link Names}), or {@code local}. */
    static String localNodeName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "";
        }
        String name = host.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceAll("^[^a-z0-9]+", "");
        if (name.length() > 63) name = name.substring(0, 63);
        return Names.isValid(name) ? name : "local";
    }

    /** The stack's settings first, then the process environment: what every component reads. */
    public Function<String, String> lookup() {
        Map<String, String> copy = Map.copyOf(settings);
        return name -> copy.containsKey(name) ? copy.get(name) : options.env().apply(name);
    }

    private void copy(String name) {
        String v = options.env().apply(name);
        if (v != null) settings.put(name, v);
    }

    @FunctionalInterface
    private interface Starter<T> {
        T start() throws Exception;
    }

    /** Starts a listener and turns "address in use" into a message that says which and why. */
    private <T> T bind(String what, int port, Starter<T> starter) throws Exception {
        try {
            return starter.start();
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof BindException || t.getClass().getSimpleName().equals("PortInUseException")
                        || String.valueOf(t.getMessage()).contains("Address already in use")) {
                    throw new IllegalStateException(what + ": " + options.host() + ":" + port
                            + " is already in use. Is another ./trawl up running? Stop it (Ctrl-C) or free the port.", e);
                }
            }
            throw e;
        }
    }

    public EmbeddedS3 s3() {
        return s3;
    }

    /** The embedded ClickHouse, or null when {@code TRAWL_CLICKHOUSE_URL} names a server. */
    public EmbeddedClickHouse clickHouse() {
        return clickhouse;
    }

    public String clickHouseUrl() {
        return settings.get("TRAWL_CLICKHOUSE_URL");
    }

    public EventRouter router() {
        return router;
    }

    public URI apiUrl() {
        return apiUrl;
    }

    /** Parts that are missing or failed, by name (empty when everything runs). */
    public Map<String, String> problems() {
        return Map.copyOf(problems);
    }

    /** The Spring apps running here, by name ({@code functions}, {@code dissector}): what a test inspects. */
    Map<String, org.springframework.context.ApplicationContext> applicationContexts() {
        Map<String, org.springframework.context.ApplicationContext> contexts = new LinkedHashMap<>();
        apps.forEach((name, app) -> contexts.put(name, app.context()));
        return contexts;
    }

    public URI dissectorUrl() {
        return dissectorUrl;
    }

    /** What a user needs to reach each part, printed by {@code ./trawl up}. */
    public void printSummary(PrintStream out) {
        Path data = options.dataDir().toAbsolutePath().normalize();
        URI s3Url = s3.endpoint();
        out.println();
        out.println("trawl is up. Data: " + data);
        out.println("  S3          " + s3Url + "  bucket trawl");
        out.println("              AWS_ACCESS_KEY_ID=" + EmbeddedS3.DEFAULT_ACCESS_KEY + " AWS_SECRET_ACCESS_KEY=" + EmbeddedS3.DEFAULT_SECRET_KEY + " AWS_DEFAULT_REGION=us-east-1");
        out.println("              aws s3 ls --endpoint-url " + s3Url + " s3://trawl/");
        if (clickhouse != null) {
            out.println("  ClickHouse  " + clickhouse.url() + "  user default (chDB " + clickhouse.engine().version() + ")");
            out.println("              passwords: " + secrets.file() + " (TRAWL_CLICKHOUSE_PASSWORD, " + ClickHouseAnalyst.PASSWORD_VARIABLE + ")");
            out.println("              . " + secrets.file() + "; curl -u default:$TRAWL_CLICKHOUSE_PASSWORD '" + clickhouse.url() + "/?query=SELECT+version()'");
            out.println("              jdbc:clickhouse://" + clickhouse.uri().getHost() + ":" + clickhouse.port() + "/default");
            out.println("              read-only login for analysts: user " + ClickHouseAnalyst.USER + "; see docs/analysts.md");
        } else {
            out.println("  ClickHouse  " + listening.get("ClickHouse"));
        }
        out.println("  API         " + apiUrl + "/mcp   health " + apiUrl + "/health"
                + (problems.containsKey("API") ? "\n              " + problems.get("API") : ""));
        printAuth(out, data);
        out.println("  Events      " + router.url() + "  (K_SINK; routes from knative/base/eventing/triggers.yaml)");
        for (Trigger t : router.triggers()) {
            out.println("                " + t.filter().getOrDefault("type", t.filter().toString()) + " -> " + t.subscriberKind() + " " + t.subscriberName());
        }
        out.println("  Dissector   " + (dissectorUrl != null ? dissectorUrl + "/events"
                : problems.getOrDefault("Dissector", "not in this build")));
        if (options.capture()) out.println("  Capture     " + listening.getOrDefault("Capture", "not in this build"));
        if (listening.containsKey("Capture metrics")) out.println("  Metrics     " + listening.get("Capture metrics") + "  (Prometheus)");
        out.println("Ctrl-C stops; ./trawl up again finds the same data.");
        out.flush();
    }

    private void printAuth(PrintStream out, Path data) {
        String auth = lookup().apply("TRAWL_AUTH");
        if (auth == null || auth.isBlank() || auth.strip().equals("none")) {
            out.println("  Access      open: no token asked, on loopback only (anyone on this machine may call the API);"
                    + " ./trawl up --auth asks for tokens");
            return;
        }
        out.println("  Access      TRAWL_AUTH=" + auth.strip() + ": every call needs 'Authorization: Bearer <token>' (docs/security.md)");
        Path admin = data.resolve(LocalTokens.ADMIN_TOKEN);
        if (java.nio.file.Files.exists(admin)) {
            out.println("              an admin token is in " + admin + " (mode 0600); tokens file " + lookup().apply("TRAWL_AUTH_TOKENS_FILE"));
            out.println("              curl -H \"Authorization: Bearer $(cat " + admin + ")\" " + apiUrl + "/mcp/snapshots");
            out.println("              TRAWL_API_TOKEN=$(cat " + admin + ") ./trawl mcp --api " + apiUrl);
        }
    }

    /** Stops everything, last started first. */
    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                log.warn("stopping {}: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
