package dev.trawl.capture;

import dev.trawl.capture.replay.ReplayCapture;
import java.nio.file.Path;
import dev.trawl.core.ApiDurations;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The daemon's settings from environment-style names (a pod's env, or the local stack's
 * properties). Everything has a default but the node name.
 *
 * <table>
 * <tr><td>TRAWL_NODE</td><td>node name (required; on Kubernetes from spec.nodeName)</td></tr>
 * <tr><td>TRAWL_CAPTURE_MODE</td><td>{@code auto} (live where permitted, else replay), {@code live}, {@code replay},
 *     {@code off} (no capture: only what the spool holds is uploaded)</td></tr>
 * <tr><td>TRAWL_CAPTURE_INTERFACES</td><td>comma list; default {@code any} (all interfaces) on Linux</td></tr>
 * <tr><td>TRAWL_CAPTURE_FILTER</td><td>BPF filter</td></tr>
 * <tr><td>TRAWL_CAPTURE_EXCLUDE_PORTS</td><td>TCP ports never captured (trawl's own); default 9000,8123,8898,8890,8899; empty for none</td></tr>
 * <tr><td>TRAWL_CAPTURE_EXCLUDE_OWN</td><td>leave out this process's own connections (S3, K_SINK, Kubernetes API, ...); default true</td></tr>
 * <tr><td>TRAWL_CAPTURE_SNAPLEN</td><td>default 262144</td></tr>
 * <tr><td>TRAWL_CAPTURE_BUFFER_BYTES</td><td>kernel ring buffer, default 64 MiB</td></tr>
 * <tr><td>TRAWL_CAPTURE_ROTATE_BYTES / _ROTATE_SECONDS</td><td>default 67108864 / 30</td></tr>
 * <tr><td>TRAWL_CAPTURE_SPOOL_DIR / _SPOOL_MAX_BYTES</td><td>default {@code /var/spool/trawl} / 2 GiB</td></tr>
 * <tr><td>TRAWL_RAW_RETENTION</td><td>how long {@code raw/} is kept, e.g. 24h or 7d (default 24h; 0s disables); the functions refuse older windows by the same value</td></tr>
 * <tr><td>TRAWL_CAPTURE_HEARTBEAT_SECONDS</td><td>default 5</td></tr>
 * <tr><td>TRAWL_CAPTURE_METRICS_PORT</td><td>Prometheus endpoint, default 9464; 0 disables</td></tr>
 * <tr><td>TRAWL_CAPTURE_METRICS_HOST</td><td>address the endpoint listens on, default every interface</td></tr>
 * <tr><td>TRAWL_CAPTURE_WORKLOADS</td><td>{@code kubernetes}, {@code file:<path>} or {@code none}; default kubernetes in a pod, else none</td></tr>
 * <tr><td>TRAWL_CAPTURE_REPLAY_FILES</td><td>comma list of pcap/pcapng files; default the bundled demo capture</td></tr>
 * <tr><td>TRAWL_CAPTURE_REPLAY_NODES</td><td>comma list of node names to replay as (default TRAWL_NODE)</td></tr>
 * <tr><td>TRAWL_CAPTURE_REPLAY_PACE</td><td>{@code realtime} or {@code fast}</td></tr>
 * <tr><td>TRAWL_CAPTURE_REPLAY_LOOP</td><td>default true</td></tr>
 * <tr><td>TRAWL_CAPTURE_VERIFY_ETAG</td><td>default true; false for SSE-KMS buckets</td></tr>
 * </table>
 */
public record CaptureConfig(
        String node,
        String mode,
        List<String> interfaces,
        String filter,
        List<Integer> excludePorts,
        int snaplen,
        int bufferBytes,
        Rotation rotation,
        Path spoolDir,
        long spoolCapBytes,
        Duration retention,
        Duration heartbeatInterval,
        int metricsPort,
        String metricsHost,
        String workloads,
        List<Path> replayFiles,
        List<String> replayNodes,
        ReplayCapture.Pace replayPace,
        boolean replayLoop,
        boolean verifyEtag,
        boolean excludeOwnTraffic) {

    public static final List<Integer> TRAWL_PORTS = List.of(9000, 8123, 8898, 8890, 8899);

    public static CaptureConfig from(Function<String, String> env) {
        String node = get(env, "TRAWL_NODE", null);
        if (node == null) throw new IllegalArgumentException("TRAWL_NODE is not set: the daemon needs its node's name");
        String mode = get(env, "TRAWL_CAPTURE_MODE", "auto").toLowerCase(java.util.Locale.ROOT);
        if (!List.of("auto", "live", "replay", "off").contains(mode)) {
            throw new IllegalArgumentException("TRAWL_CAPTURE_MODE must be auto, live, replay or off, not '" + mode + "'");
        }
        String excl = env.apply("TRAWL_CAPTURE_EXCLUDE_PORTS");
        List<Integer> exclude = excl == null ? TRAWL_PORTS : list(excl).stream().map(p -> parseInt("TRAWL_CAPTURE_EXCLUDE_PORTS", p)).toList();
        String pace = get(env, "TRAWL_CAPTURE_REPLAY_PACE", "realtime").toLowerCase(java.util.Locale.ROOT);
        if (!List.of("realtime", "fast").contains(pace)) {
            throw new IllegalArgumentException("TRAWL_CAPTURE_REPLAY_PACE must be realtime or fast, not '" + pace + "'");
        }
        String workloads = get(env, "TRAWL_CAPTURE_WORKLOADS", env.apply("KUBERNETES_SERVICE_HOST") != null ? "kubernetes" : "none");
        String retentionText = env.apply("TRAWL_RAW_RETENTION");
        Duration retentionWindow;
        try {
            retentionWindow = ApiDurations.parse(retentionText == null || retentionText.isBlank() ? "24h" : retentionText.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TRAWL_RAW_RETENTION: " + e.getMessage(), e);
        }
        return new CaptureConfig(
                node,
                mode,
                list(get(env, "TRAWL_CAPTURE_INTERFACES", "")),
                get(env, "TRAWL_CAPTURE_FILTER", ""),
                exclude,
                (int) parseLong(env, "TRAWL_CAPTURE_SNAPLEN", 262_144),
                (int) parseLong(env, "TRAWL_CAPTURE_BUFFER_BYTES", 64L << 20),
                new Rotation(parseLong(env, "TRAWL_CAPTURE_ROTATE_BYTES", Rotation.DEFAULT.maxBytes()),
                        Duration.ofMillis(Math.round(parseSeconds(env, "TRAWL_CAPTURE_ROTATE_SECONDS", 30) * 1000))),
                Path.of(get(env, "TRAWL_CAPTURE_SPOOL_DIR", "/var/spool/trawl")),
                parseLong(env, "TRAWL_CAPTURE_SPOOL_MAX_BYTES", 2L << 30),
                retentionWindow.isZero() ? null : retentionWindow,
                Duration.ofSeconds(parseLong(env, "TRAWL_CAPTURE_HEARTBEAT_SECONDS", 5)),
                (int) parseLong(env, "TRAWL_CAPTURE_METRICS_PORT", 9464),
                get(env, "TRAWL_CAPTURE_METRICS_HOST", ""),
                workloads,
                list(get(env, "TRAWL_CAPTURE_REPLAY_FILES", "")).stream().map(Path::of).toList(),
                list(get(env, "TRAWL_CAPTURE_REPLAY_NODES", node)),
                ReplayCapture.Pace.valueOf(pace.toUpperCase(java.util.Locale.ROOT)),
                parseBoolean(env, "TRAWL_CAPTURE_REPLAY_LOOP", true),
                parseBoolean(env, "TRAWL_CAPTURE_VERIFY_ETAG", true),
                parseBoolean(env, "TRAWL_CAPTURE_EXCLUDE_OWN", true));
    }

    /** The user's filter with trawl's own ports cut out. */
    public String effectiveFilter() {
        String own = excludePorts.isEmpty() ? "" : "not (" + excludePorts.stream().map(p -> "tcp port " + p).collect(Collectors.joining(" or ")) + ")";
        if (filter.isBlank()) return own;
        if (own.isEmpty()) return filter;
        return "(" + filter + ") and " + own;
    }

    /** The interfaces to capture: the configured ones, else every interface ({@code any} on Linux). */
    public List<String> liveInterfaces() {
        if (!interfaces.isEmpty()) return interfaces;
        return List.of("any");
    }

    private static String get(Function<String, String> env, String name, String fallback) {
        String v = env.apply(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private static long parseLong(Function<String, String> env, String name, long fallback) {
        return parse(env, name, fallback, Long::parseLong, "a whole number");
    }

    private static double parseSeconds(Function<String, String> env, String name, double fallback) {
        return parse(env, name, fallback, Double::parseDouble, "a number of seconds");
    }

    private static <T> T parse(Function<String, String> env, String name, T fallback, Function<String, T> parser, String what) {
        String v = get(env, name, null);
        if (v == null) return fallback;
        try {
            return parser.apply(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be " + what + ", not '" + v + "'");
        }
    }

    /** true or false, nothing else: a "yes" read as false would silently turn a safeguard off. */
    private static boolean parseBoolean(Function<String, String> env, String name, boolean fallback) {
        String v = get(env, name, null);
        if (v == null) return fallback;
        if (v.equalsIgnoreCase("true")) return true;
        if (v.equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException(name + " must be true or false, not '" + v + "'");
    }

    private static int parseInt(String name, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must list port numbers, not '" + v + "'");
        }
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
