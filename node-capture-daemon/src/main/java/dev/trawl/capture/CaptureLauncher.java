package dev.trawl.capture;

import dev.trawl.capture.live.CapturePermission;
import dev.trawl.core.LocalStacks;
import dev.trawl.capture.live.LiveCapture;
import dev.trawl.capture.live.OwnTraffic;
import dev.trawl.capture.replay.ReplayCapture;
import dev.trawl.capture.workload.KubernetesWorkloads;
import dev.trawl.capture.workload.StaticWorkloads;
import dev.trawl.capture.workload.WorkloadTable;
import dev.trawl.core.events.EventSender;
import dev.trawl.core.s3.S3Settings;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import dev.trawl.capture.metrics.MetricsHttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the daemons a configuration asks for and decides live or replay: live where this
 * process may capture (root or CAP_NET_RAW), otherwise — or with {@code TRAWL_CAPTURE_MODE=replay}
 * — a replay of the configured files (default: the bundled demo capture) as one daemon per
 * replay node. Used by the pod's {@link CaptureMain} and by the local stack.
 */
public final class CaptureLauncher {
    private static final Logger log = LoggerFactory.getLogger(CaptureLauncher.class);
    public static final String DEMO_RESOURCE = "/demo/demo.pcap";
    public static final String DEMO_WORKLOADS_RESOURCE = "/demo/demo-workloads.json";

    private CaptureLauncher() {}

    /** What was started, and why it is live or a replay. */
    public record Launched(List<CaptureDaemon> daemons, String mode, String reason, AutoCloseable workloads,
                           MetricsHttpServer metrics) implements AutoCloseable {
        /** Where Prometheus scrapes the daemon, or null when no endpoint was asked for. */
        public String metricsUrl() {
            return metrics == null ? null : metrics.url();
        }

        @Override
        public void close() throws Exception {
            for (CaptureDaemon d : daemons) d.close();
            if (workloads != null) workloads.close();
            if (metrics != null) metrics.close();
        }
    }

    /**
     * Launches with a Prometheus registry served at {@code TRAWL_CAPTURE_METRICS_PORT} (0: none)
     * on {@code TRAWL_CAPTURE_METRICS_HOST} (default: every interface, for the pod's scrape).
     */
    public static Launched launchServingMetrics(Function<String, String> env) throws IOException {
        CaptureConfig config = CaptureConfig.from(env);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MetricsHttpServer metrics = config.metricsPort() > 0 ? new MetricsHttpServer(registry, config.metricsHost(), config.metricsPort()) : null;
        try {
            Launched launched = launch(env, registry);
            return new Launched(launched.daemons(), launched.mode(), launched.reason(), launched.workloads(), metrics);
        } catch (IOException | RuntimeException e) {
            if (metrics != null) metrics.close();
            throw e;
        }
    }

    public static Launched launch(Function<String, String> env, MeterRegistry registry) throws IOException {
        CaptureConfig config = CaptureConfig.from(env);
        S3Settings s3 = S3Settings.from(env);
        EventSender events = EventSender.from(env, "node-capture-daemon");
        WorkloadTable workloads = workloads(config.workloads());

        String mode = config.mode();
        String reason;
        if (mode.equals("off")) return uploadOnly(config, s3, events, workloads, registry);
        if (mode.equals("replay")) {
            reason = "TRAWL_CAPTURE_MODE=replay";
        } else {
            var decision = CapturePermission.check(config.liveInterfaces().getFirst(), config.snaplen());
            if (decision.live()) {
                mode = "live";
                reason = decision.reason();
            } else if (mode.equals("live")) {
                throw new IllegalStateException("TRAWL_CAPTURE_MODE=live but live capture is not possible: " + decision.reason());
            } else {
                mode = "replay";
                reason = "live capture not permitted (" + decision.reason() + ")";
            }
        }

        List<CaptureDaemon> daemons = new ArrayList<>();
        if (mode.equals("live")) {
            var b = base(config, s3, events, workloads, registry).node(config.node());
            for (String device : config.liveInterfaces()) {
                b.source(new LiveCapture(device, config.effectiveFilter(), config.bufferBytes(), config.excludeOwnTraffic() ? new OwnTraffic(peers(s3, env), LocalStacks.from(env)) : null));
            }
            daemons.add(b.build());
            reason += "; filter: " + config.effectiveFilter() + (config.excludeOwnTraffic() ? ", without this process's own connections" : "");
        } else {
            boolean demo = config.replayFiles().isEmpty();
            List<Path> files = demo ? List.of(demoCapture(config.spoolDir())) : config.replayFiles();
            for (String node : config.replayNodes()) {
                // the demo's shop has no cluster to ask: its own table names the pods, on the node replaying them
                WorkloadTable table = demo && workloads.size() == 0 ? demoWorkloads(node) : workloads;
                daemons.add(base(config, s3, events, table, registry).node(node)
                        .source(new ReplayCapture(files, config.replayPace(), config.replayLoop())).build());
            }
            reason += "; replaying " + files + " as " + config.replayNodes() + " (" + config.replayPace().name().toLowerCase() + ")";
        }
        log.info("capture mode: {} — {}", mode, reason);
        for (CaptureDaemon d : daemons) d.start();
        return new Launched(daemons, mode, reason, workloads instanceof AutoCloseable c ? c : null, null);
    }

    /**
     * TRAWL_CAPTURE_MODE=off: nothing is captured, but every node's spool directory is still
     * uploaded (a stack that only serves and dissects what is there loses nothing it had spooled).
     */
    private static Launched uploadOnly(CaptureConfig config, S3Settings s3, EventSender events, WorkloadTable workloads, MeterRegistry registry)
            throws IOException {
        var nodes = new java.util.TreeSet<String>();
        nodes.add(config.node());
        if (java.nio.file.Files.isDirectory(config.spoolDir())) {
            try (var dirs = java.nio.file.Files.list(config.spoolDir())) {
                dirs.filter(java.nio.file.Files::isDirectory).map(d -> d.getFileName().toString())
                        .filter(dev.trawl.core.Names::isValid).forEach(nodes::add);
            }
        }
        List<CaptureDaemon> daemons = new ArrayList<>();
        for (String node : nodes) daemons.add(base(config, s3, events, workloads, registry).node(node).uploadOnly().build());
        String reason = "TRAWL_CAPTURE_MODE=off: no capture; uploading what the spool holds for " + nodes;
        log.info("capture mode: off — {}", reason);
        for (CaptureDaemon d : daemons) d.start();
        return new Launched(daemons, "off", reason, workloads instanceof AutoCloseable c ? c : null, null);
    }

    private static CaptureDaemon.Builder base(CaptureConfig c, S3Settings s3, EventSender events, WorkloadTable workloads, MeterRegistry registry) {
        return CaptureDaemon.builder()
                .s3(s3)
                .events(events)
                .spoolDir(c.spoolDir())
                .spoolCapBytes(c.spoolCapBytes())
                .rotation(c.rotation())
                .snaplen(c.snaplen())
                .retention(c.retention())
                .heartbeatInterval(c.heartbeatInterval())
                .verifyEtag(c.verifyEtag())
                .workloads(workloads)
                .meterRegistry(registry);
    }

    /** Where the daemon's own traffic goes: the S3 endpoint (or the bucket's regional ones) and K_SINK. */
    static List<URI> peers(S3Settings s3, Function<String, String> env) {
        List<URI> peers = new ArrayList<>();
        if (s3.endpoint() != null) {
            peers.add(s3.endpoint());
        } else if (s3.region() != null) {
            peers.add(URI.create("https://s3." + s3.region() + ".amazonaws.com"));
            peers.add(URI.create("https://" + s3.bucket() + ".s3." + s3.region() + ".amazonaws.com"));
        }
        String sink = env.apply("K_SINK");
        if (sink != null && !sink.isBlank()) peers.add(URI.create(sink.trim()));
        return peers;
    }

    static WorkloadTable workloads(String spec) {
        if (spec.equals("none")) return WorkloadTable.none();
        if (spec.equals("kubernetes")) return new KubernetesWorkloads(new KubernetesClientBuilder().build());
        if (spec.startsWith("file:")) return StaticWorkloads.load(Path.of(spec.substring(5)));
        throw new IllegalArgumentException("TRAWL_CAPTURE_WORKLOADS must be kubernetes, file:<path> or none, not '" + spec + "'");
    }

    /** The pods, services and namespaces of the demo's shop, mapped onto the demo capture's addresses. */
    public static WorkloadTable demoWorkloads(String node) throws IOException {
        try (InputStream in = CaptureLauncher.class.getResourceAsStream(DEMO_WORKLOADS_RESOURCE)) {
            if (in == null) throw new IOException("the demo workloads " + DEMO_WORKLOADS_RESOURCE + " are missing from the class path");
            return StaticWorkloads.read(in.readAllBytes(), node, DEMO_WORKLOADS_RESOURCE);
        }
    }

    /** The bundled demo capture as a file (libpcap reads files, not class path resources). */
    public static Path demoCapture(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("demo.pcap");
        try (InputStream in = CaptureLauncher.class.getResourceAsStream(DEMO_RESOURCE)) {
            if (in == null) throw new IOException("the demo capture " + DEMO_RESOURCE + " is missing from the class path");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }
}
