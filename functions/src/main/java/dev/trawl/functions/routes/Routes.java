package dev.trawl.functions.routes;

import dev.trawl.functions.routes.Param.Type;
import dev.trawl.functions.routes.Tool.Kind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The route table: every endpoint of trawl's API, declared once. The REST mapping
 * ({@link RouteHandler} on a controller method names its route), {@code GET /mcp}'s listing, the
 * MCP tools and the endpoint groups that Knative deploys are all read from here, and
 * {@code RouteTableTest} fails when one of them disagrees with it. An endpoint and its MCP tool
 * are one entry below (and a handler method).
 *
 * <p>The tools' descriptions are written for a model: when to use the tool, what the fields
 * mean, and what to call next.
 */
public final class Routes {
    private Routes() {}

    /** The endpoint group every instance serves, whatever {@code TRAWL_FUNCTIONS} selects. */
    public static final String EVERY_INSTANCE = null;

    private static final String NAME_PATTERN = "^[a-z0-9][a-z0-9._-]{0,62}$";

    private static final String NAME_RULE = "lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters";

    private static final String NO_SNAPSHOT = "No such snapshot. Call list_snapshots to see the snapshots that exist, or create_snapshot to make one.";
    private static final String NO_DISSECTION = "No such dissection. Call list_dissections (or list_databases) to see what exists, or start_dissection to make one.";

    private static final String KFL_HELP = """
            KFL is Kubeshark's filter language; both of its forms work:
              http and status >= 400          dst.svc == "payment"          request.path.startsWith("/api")
              http && status_code >= 500      dst.service.name == "cart"    method == "POST" && path.contains("checkout")
              dns && "example.com" in dns_questions     redis && redis_key.startsWith("session:")
              grpc && grpc_status != 0        kafka && kafka_api_key_name == "Produce"
              timestamp > now() - duration("5m")        elapsed_time > 1000000 (µs)
            Protocol flags: http grpc dns redis kafka amqp postgresql mysql mongodb ws tls icmp tcp udp.
            An empty filter matches every call.""";

    private static final String SCOPE_HELP = "Only packets with an end that, in that chunk's own workload table, belonged to one of these ";

    private static final String FLOW_KFL_HELP = """
            KFL over flow fields (docs/kfl.md): tcp, udp, the protocol flags (http, dns, redis, ...),
            src/dst ip, port, pod, ns, svc, node, protocol ("" when trawl dissected none), packets, bytes,
            retransmissions, out_of_order, duplicate_acks, zero_windows, resets, close (fin, rst, open),
            rtt_us, duration_us, gaps. Examples:  tcp && retransmissions > 0    close == "rst"
              dst.svc == "payment" && rtt_us > 50000    protocol == "" && tcp""";

    private static final Param FLOWS_DB = Param.query("db", Type.STRING, "<snapshot>/<dissection> (see list_databases); omit for real time");

    private static final Param SNAPSHOT_NAME = Param.path("name", "The snapshot's name (see list_snapshots)");
    private static final Param DISSECTION_SNAPSHOT = Param.path("snapshot", "The dissected snapshot's name");
    private static final Param DISSECTION_NAME = Param.path("name", "The dissection's name");

    private static final List<Route> ALL = List.of(
            rawCaptureStatus(), dataBoundaries(),
            listSnapshots(), createSnapshot(), getSnapshot(), deleteSnapshot(), exportSnapshotPcap(), verifySnapshot(),
            listWorkloads(), listIps(),
            listDatabases(), startDissection(), listDissections(), getDissection(), stopDissection(), deleteDissection(),
            listApiCalls(), getApiCall(), getApiStats(), listL4Flows(), getL4FlowSummary(), auditTrail(),
            new Route("mcp", "mcp", "POST", "/mcp", Role.VIEWER, null,
                    "Model Context Protocol (JSON-RPC 2.0, Streamable HTTP, stateless): every endpoint here as a tool for AI assistants",
                    List.of(), null),
            new Route("endpoints", EVERY_INSTANCE, "GET", "/mcp", Role.VIEWER, null, null, List.of(), null),
            new Route("endpoints/", EVERY_INSTANCE, "GET", "/mcp/", Role.VIEWER, null, null, List.of(), null),
            new Route("health", EVERY_INSTANCE, "GET", "/health", Role.ANYONE, null, null, List.of(), null),
            new Route("healthz", EVERY_INSTANCE, "GET", "/healthz", Role.ANYONE, null, null, List.of(), null));

    private static final Map<String, Route> BY_NAME = ALL.stream().collect(Collectors.toUnmodifiableMap(Route::name, Function.identity()));

    public static List<Route> all() {
        return ALL;
    }

    /** The routes that are MCP tools, in the order the tools are listed. */
    public static List<Route> tools() {
        return ALL.stream().filter(r -> r.tool() != null).toList();
    }

    public static Optional<Route> named(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /**
     * The route a request reaches, by its method (HEAD is a GET) and its path, each
     * {@code :variable} matching one non-empty segment; empty when no route matches, which an
     * access check takes as a refusal.
     */
    public static Optional<Route> find(String method, String path) {
        String wanted = "HEAD".equals(method.toUpperCase(Locale.ROOT)) ? "GET" : method.toUpperCase(Locale.ROOT);
        return ALL.stream().filter(r -> r.method().equals(wanted) && r.matches(path)).findFirst();
    }

    static Route rawCaptureStatus() {
        return new Route("get_raw_capture_status", "raw-capture", "GET", "/mcp/raw-capture", Role.VIEWER, null,
                "Check if raw capture is enabled",
                List.of(),
                new Tool("Raw capture status",
                """
                Tells whether raw packet capture is enabled in the cluster, and its capture session id.
                Raw capture must be enabled before snapshots can be created or exported as PCAP.
                Use it first when a snapshot request fails or the user asks whether traffic is being recorded.""",
                object("""
                {"enabled": {"type": "boolean", "description": "Whether any node captures raw packets now"},
                 "session_id": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "The cluster's capture session"},
                 "nodes": {"type": "array", "description": "Each node: name, enabled, session_id, mode (live or replay), last_seen_ts (ms), packets, drops", "items": {"type": "object"}}}""", "enabled"),
                Kind.READ_ONLY,
                Map.of()));
    }

    static Route dataBoundaries() {
        return new Route("get_data_boundaries", "data-boundaries", "GET", "/mcp/data-boundaries", Role.VIEWER, null,
                "Get available data time range",
                List.of(),
                new Tool("Available traffic time range",
                """
                Returns the time range of raw traffic that is available, for the whole cluster and per node
                (oldest_ts and newest_ts, in milliseconds since the epoch). Use it before create_snapshot to know
                how far back a snapshot can reach ("What time range of data do we have?", "How far back can I
                create a snapshot?").""",
                object("""
                {"cluster": {"type": "object", "description": "oldest_ts and newest_ts (ms) over all nodes; null when no data exists",
                             "properties": {"oldest_ts": {"anyOf": [{"type": "integer"}, {"type": "null"}]}, "newest_ts": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}},
                 "nodes": {"type": "array", "description": "Each node's name, oldest_ts and newest_ts (ms)", "items": {"type": "object"}}}""", "cluster", "nodes"),
                Kind.READ_ONLY,
                Map.of()));
    }

    static Route listSnapshots() {
        return new Route("list_snapshots", "snapshots", "GET", "/mcp/snapshots", Role.VIEWER, null,
                "List all snapshots",
                List.of(),
                new Tool("List snapshots",
                """
                Lists every snapshot (a point-in-time copy of the cluster's raw traffic kept as evidence), with its
                status (in_progress while its window is still being captured, completed when ready, failed with a
                reason), size in bytes, creation time and duration. Use it to find a snapshot's name for
                get_snapshot, export_snapshot_pcap or start_dissection.""",
                object("""
                {"snapshots": {"type": "array", "description": "Each snapshot's name, status, size_bytes, created_at, duration",
                               "items": {"type": "object", "properties": {"name": {"type": "string"}, "status": {"type": "string"}}}}}""", "snapshots"),
                Kind.READ_ONLY,
                Map.of()));
    }

    static Route createSnapshot() {
        return new Route("create_snapshot", "snapshots", "POST", "/mcp/snapshots", Role.OPERATOR, null,
                "Create a new snapshot",
                List.of(Param.body("name", Type.STRING, "Unique snapshot name, e.g. incident-001").mandatory().with("pattern", NAME_PATTERN),
                        Param.body("duration", Type.STRING, "Window length up to now: a number and a unit (s, m, h, d), e.g. 30m or 1h"),
                        Param.body("start_ts", Type.INTEGER, "Window start, milliseconds since the epoch (instead of duration)"),
                        Param.body("end_ts", Type.INTEGER, "Window end, milliseconds since the epoch; may be in the future"),
                        Param.body("nodes", Type.STRINGS, "Only these nodes (default: all)")),
                new Tool("Create a snapshot",
                """
                Creates a snapshot: a copy of the raw traffic of a time window, kept even after the live capture
                buffer rotates. Give either `duration` (the window is the last `duration` up to now, e.g. "30m",
                "1h", "2h") or `start_ts` and `end_ts` (milliseconds since the epoch; the end may be in the future
                to "capture the next hour while I reproduce the bug": the snapshot then stays in_progress until
                the window has passed). Optionally limit it to some `nodes`. It returns at once with status
                in_progress; poll get_snapshot until completed. Call get_data_boundaries first if unsure how far
                back data exists.""" + " Names: " + NAME_RULE + ".",
                object("""
                {"success": {"type": "boolean"}, "name": {"type": "string"},
                 "status": {"type": "string", "description": "in_progress: poll get_snapshot until completed"}}""", "name", "status"),
                Kind.CREATES,
                Map.of(400, "Fix the argument the message names and call again; get_data_boundaries tells which nodes have traffic and from when to when.",
                        409, "That name is taken. Choose another name, or call get_snapshot to use the existing snapshot.")));
    }

    static Route getSnapshot() {
        return new Route("get_snapshot", "snapshots", "GET", "/mcp/snapshots/:name", Role.VIEWER, null,
                "Get snapshot details",
                List.of(SNAPSHOT_NAME),
                new Tool("Snapshot details",
                """
                Details of one snapshot: status (in_progress, completed, failed), window (start_ts, end_ts in ms),
                node_count, packet_count, size_bytes, created_at, duration, and why it failed if it did. Poll it
                after create_snapshot until the status is completed. clipped is true when the window asked for
                reached beyond the traffic that exists: clipping then says what was asked and what the snapshot
                holds, which the user should be told.""",
                object("""
                {"name": {"type": "string"}, "status": {"type": "string", "description": "in_progress, completed or failed"},
                 "size_bytes": {"anyOf": [{"type": "integer"}, {"type": "null"}]}, "created_at": {"anyOf": [{"type": "string"}, {"type": "null"}]}, "duration": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                 "start_ts": {"anyOf": [{"type": "integer"}, {"type": "null"}], "description": "Start of the traffic it holds (ms)"},
                 "end_ts": {"anyOf": [{"type": "integer"}, {"type": "null"}], "description": "End of the traffic it holds (ms)"},
                 "node_count": {"anyOf": [{"type": "integer"}, {"type": "null"}]}, "packet_count": {"anyOf": [{"type": "integer"}, {"type": "null"}]},
                 "clipped": {"anyOf": [{"type": "boolean"}, {"type": "null"}], "description": "true when the window asked for reached beyond the traffic that exists"},
                 "clipping": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "What was asked and what the snapshot holds, when clipped"},
                 "error": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "Why it failed"},
                 "nodes": {"type": "array", "description": "Per node: name, packet_count, size_bytes, chunks", "items": {"type": "object"}}}""", "name", "status"),
                Kind.READ_ONLY,
                Map.of(404, NO_SNAPSHOT)));
    }

    static Route deleteSnapshot() {
        return new Route("delete_snapshot", "snapshots", "DELETE", "/mcp/snapshots/:name", Role.ADMIN, null,
                "Delete a snapshot",
                List.of(SNAPSHOT_NAME),
                new Tool("Delete a snapshot",
                """
                Deletes a snapshot and every object of it, for good: the evidence it holds is lost. Ask the user to
                confirm first. A snapshot cannot be deleted while one of its dissections is running (stop it with
                stop_dissection first). Its finished dissections stay queryable until delete_dissection.""",
                object("""
                {"success": {"type": "boolean"}, "name": {"type": "string"}}""", "success"),
                Kind.DESTRUCTIVE,
                Map.of(404, NO_SNAPSHOT,
                        409, "A dissection of this snapshot is running. Call list_dissections with this snapshot, stop_dissection it, wait until get_dissection reads cancelled, then delete again.")));
    }

    static Route exportSnapshotPcap() {
        return new Route("export_snapshot_pcap", "snapshots", "GET", "/mcp/snapshots/:name/pcap", Role.ANALYST, null,
                "Export snapshot as PCAP",
                List.of(Param.path("name", "The snapshot's name"),
                        Param.query("nodes", Type.STRINGS, "Only these nodes"),
                        Param.query("start_time", Type.INTEGER, "Only packets at or after this time (ms since the epoch)"),
                        Param.query("end_time", Type.INTEGER, "Only packets at or before this time (ms since the epoch)"),
                        Param.query("bpf_filter", Type.STRING, "A BPF filter in tcpdump syntax, e.g. host 10.0.0.5 and tcp port 80"),
                        Param.query("services", Type.STRINGS, SCOPE_HELP + "services, e.g. payment"),
                        Param.query("namespaces", Type.STRINGS, SCOPE_HELP + "namespaces"),
                        Param.query("pods", Type.STRINGS, SCOPE_HELP + "pods (name or namespace/name)"),
                        Param.query("format", Type.STRING, "File format (default pcap)").with("enum", List.of("pcap", "pcapng")),
                        Param.query("presign", Type.BOOLEAN, "true: answer JSON with a presigned URL instead of the file").restOnly()),
                new Tool("Export a snapshot as PCAP",
                """
                Gives a download URL for a snapshot's traffic as one PCAP file merged across nodes in time order,
                which Wireshark, tshark and tcpdump open ("Export the snapshot as PCAP for the security team").
                It never returns the bytes themselves: hand the URL to the user (curl -o snapshot.pcap URL).
                Optional filters: `nodes`, `start_time`/`end_time` (ms), `bpf_filter` (tcpdump syntax, e.g.
                "tcp port 443"), `services`/`namespaces`/`pods` (only packets with an end that belonged to one of
                them when it was captured, each chunk by its own workload table, so a pod replaced in the window is
                followed to its new address; see list_workloads for the names), `format` "pcapng" (one interface per node, named after it) or "pcap" (default).
                The snapshot must be completed (see get_snapshot). The request is checked before the URL is
                given, so a bad filter, node or time is an error to fix, never a broken link. size_bytes is the
                file's exact size when size_exact is true (a whole-snapshot pcap), else the snapshot's size.""",
                object("""
                {"name": {"type": "string"}, "url": {"type": "string", "description": "Where the file downloads (GET); hand it to the user"},
                 "format": {"type": "string", "enum": ["pcap", "pcapng"]}, "content_type": {"type": "string"},
                 "size_bytes": {"anyOf": [{"type": "integer"}, {"type": "null"}], "description": "The file's size when size_exact, else the snapshot's"},
                 "size_exact": {"type": "boolean"}, "packet_count": {"anyOf": [{"type": "integer"}, {"type": "null"}], "description": "The snapshot's packets"},
                 "note": {"type": "string"}}""", "url", "size_bytes", "size_exact"),
                Kind.READ_ONLY,
                Map.of(404, NO_SNAPSHOT,
                        400, "Fix the argument the message names (nodes: see get_snapshot; bpf_filter: tcpdump syntax such as \"tcp port 80\"; format: pcap or pcapng) and call again.",
                        409, "The snapshot is not completed (poll get_snapshot until its status is completed, then export again), or it failed and holds nothing to export."),
                call -> {
                    String name = call.required("name");
                    Map<String, Object> snapshot = call.api().get(getSnapshot().path(call), Map.of());
                    Map<String, Object> query = new LinkedHashMap<>();
                    query.put("nodes", commaList(call.value("nodes")));
                    query.put("start_time", call.value("start_time"));
                    query.put("end_time", call.value("end_time"));
                    query.put("bpf_filter", call.value("bpf_filter"));
                    for (String list : List.of("services", "namespaces", "pods")) query.put(list, commaList(call.value(list)));
                    query.put("format", call.value("format"));
                    String path = exportSnapshotPcap().path(call);
                    // the API checks the request as the download would (status, nodes, times, filter,
                    // format, link types): a URL is handed out only when it will download
                    OptionalLong exactSize = call.api().head(path, query);
                    String format = "pcapng".equals(call.string("format")) ? "pcapng" : "pcap";
                    Map<String, Object> answer = new LinkedHashMap<>();
                    answer.put("name", name);
                    answer.put("url", call.api().url(path, query));
                    answer.put("format", format);
                    answer.put("content_type", "pcapng".equals(format) ? "application/x-pcapng" : "application/vnd.tcpdump.pcap");
                    answer.put("size_bytes", exactSize.isPresent() ? exactSize.getAsLong() : snapshot.get("size_bytes"));
                    answer.put("size_exact", exactSize.isPresent());
                    answer.put("packet_count", snapshot.get("packet_count"));
                    answer.put("note", exactSize.isPresent()
                            ? "size_bytes is the file's exact size; packet_count is the snapshot's. The download can be resumed with an HTTP Range header."
                            : "With filters (or pcapng) the size is known only once the file is made: size_bytes and packet_count are the "
                                    + "whole snapshot's, and filters make the file smaller.");
                    return answer;
                }));
    }

    static Route listDatabases() {
        return new Route("list_databases", "databases", "GET", "/mcp/databases", Role.VIEWER, null,
                "List all databases (real-time per node, and dissections)",
                List.of(),
                new Tool("List queryable databases",
                """
                Lists every database list_api_calls can query: one `realtime` database per node (live traffic,
                dissected as it is captured) and one per dissection of a snapshot (type dissection, with its
                snapshot, name and status), each with entry_count and first_ts/last_ts (ms). Use it first to see
                whether a snapshot has been dissected already; query a dissection by passing
                db="<snapshot>/<name>" to list_api_calls.""",
                object("""
                {"databases": {"type": "array", "description": "type realtime (with node) or dissection (with snapshot, name, status); entry_count, first_ts, last_ts (ms)",
                               "items": {"type": "object", "properties": {"type": {"type": "string"}, "entry_count": {"type": "integer"}}}}}""", "databases"),
                Kind.READ_ONLY,
                Map.of()));
    }

    static Route startDissection() {
        return new Route("start_dissection", "dissections", "POST", "/mcp/dissections", Role.OPERATOR, null,
                "Start a delayed dissection job on a snapshot",
                List.of(Param.body("snapshot", Type.STRING, "The snapshot to dissect (see list_snapshots)").mandatory(),
                        Param.body("name", Type.STRING, "A name for this dissection, e.g. analysis").mandatory().with("pattern", NAME_PATTERN)),
                new Tool("Start a delayed dissection",
                """
                Starts dissecting a snapshot: its raw packets are turned into API calls (HTTP, HTTP/2, gRPC, DNS,
                Redis, Kafka, AMQP, PostgreSQL, MySQL, MongoDB, TLS, ...) stored in the database
                "<snapshot>/<name>". It returns at once with status pending; poll get_dissection until the status
                is completed (it goes pending, downloading, running, uploading, completed; or failed, cancelled),
                then query it with list_api_calls db="<snapshot>/<name>".""" + " Names: " + NAME_RULE + ".",
                object("""
                {"success": {"type": "boolean"}, "snapshot": {"type": "string"}, "name": {"type": "string"},
                 "status": {"type": "string", "description": "pending: poll get_dissection until completed"}}""", "snapshot", "name", "status"),
                Kind.CREATES,
                Map.of(404, NO_SNAPSHOT,
                        409, "A dissection of that name exists for this snapshot. Use get_dissection on it, or choose another name.")));
    }

    static Route listDissections() {
        return new Route("list_dissections", "dissections", "GET", "/mcp/dissections", Role.VIEWER, null,
                "List dissection jobs, optionally filtered by ?snapshot=",
                List.of(Param.query("snapshot", Type.STRING, "Only the dissections of this snapshot")),
                new Tool("List dissections",
                """
                Lists dissection jobs with their status, progress (0-100) and entry_count; pass `snapshot` to see
                only one snapshot's.""",
                object("""
                {"dissections": {"type": "array", "description": "Each dissection's snapshot, name, status, progress (0-100) and entry_count",
                                 "items": {"type": "object", "properties": {"snapshot": {"type": "string"}, "name": {"type": "string"}, "status": {"type": "string"}}}}}""", "dissections"),
                Kind.READ_ONLY,
                Map.of(404, NO_SNAPSHOT)));
    }

    static Route getDissection() {
        return new Route("get_dissection", "dissections", "GET", "/mcp/dissections/:snapshot/:name", Role.VIEWER, null,
                "Get dissection status",
                List.of(DISSECTION_SNAPSHOT,
                        DISSECTION_NAME),
                new Tool("Dissection status",
                """
                Status of one dissection: status (pending, downloading, running, uploading, completed, failed,
                cancelled), progress 0-100, stats (pcap_files, pcap_bytes, packets_processed, entries_created,
                protocol_counts) and errors (damaged captures it read past, or why it failed). Poll it every few
                seconds after start_dissection until completed, then call list_api_calls with
                db="<snapshot>/<name>".""",
                object("""
                {"snapshot": {"type": "string"}, "name": {"type": "string"},
                 "status": {"type": "string", "description": "pending, downloading, running, uploading, completed, failed or cancelled"},
                 "progress": {"type": "integer", "minimum": 0, "maximum": 100},
                 "stats": {"type": "object", "description": "pcap_files, pcap_bytes, packets_processed, entries_created, protocol_counts (calls per protocol)"},
                 "errors": {"type": "array", "description": "Damaged captures read past, or why it failed"}}""", "snapshot", "name", "status"),
                Kind.READ_ONLY,
                Map.of(404, NO_DISSECTION)));
    }

    static Route stopDissection() {
        return new Route("stop_dissection", "dissections", "POST", "/mcp/dissections/:snapshot/:name/stop", Role.OPERATOR, null,
                "Stop a running dissection",
                List.of(DISSECTION_SNAPSHOT,
                        DISSECTION_NAME),
                new Tool("Stop a dissection",
                """
                Stops a running dissection at a clean point within seconds; its status becomes cancelled and the
                work done so far is not completed. Use it when a dissection is no longer wanted or before deleting
                its snapshot; get_dissection may read its last running status for a few seconds more, so poll it
                until it reads cancelled before deleting.""",
                object("""
                {"success": {"type": "boolean"}, "snapshot": {"type": "string"}, "name": {"type": "string"}, "status": {"type": "string"}}""", "status"),
                Kind.DESTRUCTIVE,
                Map.of(404, NO_DISSECTION,
                        409, "The dissection is not running (it has completed, failed or been cancelled); nothing to stop.")));
    }

    static Route deleteDissection() {
        return new Route("delete_dissection", "dissections", "DELETE", "/mcp/dissections/:snapshot/:name", Role.ADMIN, null,
                "Delete a dissection and its database",
                List.of(DISSECTION_SNAPSHOT,
                        DISSECTION_NAME),
                new Tool("Delete a dissection",
                """
                Deletes a dissection and its database of API calls, for good (the snapshot itself stays and can be
                dissected again). A running dissection must be stopped first (stop_dissection).""",
                object("""
                {"success": {"type": "boolean"}, "snapshot": {"type": "string"}, "name": {"type": "string"}}""", "success"),
                Kind.DESTRUCTIVE,
                Map.of(404, NO_DISSECTION,
                        409, "The dissection is running. Call stop_dissection first, wait until get_dissection reads cancelled, then delete it.")));
    }

    static Route listApiCalls() {
        return new Route("list_api_calls", "calls", "GET", "/mcp/calls", Role.VIEWER, Role.ANALYST,
                "API calls matching a KFL filter, newest first: kfl, db=<snapshot>/<dissection> (none: real time), "
                        + "limit (100, at most 1000), start/end (ms), format=compact|full",
                List.of(Param.query("kfl", Type.STRING, "KFL filter, e.g. http and status >= 400 (empty: everything)"),
                        Param.query("db", Type.STRING, "<snapshot>/<dissection> to query a dissection (see list_databases); omit for real time"),
                        Param.query("limit", Type.INTEGER, "At most this many calls (default 100)").with("minimum", 1).with("maximum", 1000),
                        Param.query("start", Type.INTEGER, "Only calls at or after this time (ms since the epoch)"),
                        Param.query("end", Type.INTEGER, "Only calls before this time (ms since the epoch)"),
                        Param.query("format", Type.STRING, "compact (default) or full").with("enum", List.of("compact", "full"))),
                new Tool("List API calls",
                """
                Lists API calls (requests with their responses), newest first, that match a KFL filter, from the
                real-time databases (default) or from a dissection (db="<snapshot>/<dissection>"). Each call has
                id, ts (ms), src and dst (ip, port, pod, ns, svc, node), proto, method, path, status and
                latency_ms. For protocols other than HTTP, method is the protocol's verb (DNS query type, Redis
                command, SQL command) and path its object (DNS name, Redis key, Kafka topic, SQL text); status is
                the DNS rcode or SQL error code, 0 when there is none (gRPC: the HTTP status; grpc_status has
                gRPC's). format "full" adds headers, body previews and sizes. `total` counts all matches and
                `truncated` says whether more exist than `limit` (default 100, at most 1000): narrow the filter or
                the time range (start/end, ms) rather than raising the limit. Use get_api_call with an id for one
                call's full payloads.
                """ + KFL_HELP,
                object("""
                {"calls": {"type": "array", "description": "Newest first; each has id (for get_api_call), ts (ms), src and dst (ip, port, pod, ns, svc, node), proto, method, path, status, latency_ms",
                           "items": {"type": "object", "properties": {"id": {"type": "string"}, "ts": {"type": "integer"}, "proto": {"type": "string"}}}},
                 "total": {"type": "integer", "description": "All the calls that match, beyond limit too"},
                 "truncated": {"type": "boolean", "description": "true when more calls match than were returned"}}""", "calls", "total", "truncated"),
                Kind.READ_ONLY,
                Map.of(400, "The filter or an argument was rejected; the message says which, and for KFL at what position. Fix it and call again. " + KFL_HELP.lines().skip(1).limit(3).reduce("Examples:", (a, b) -> a + "\n" + b),
                        404, "No such database. Call list_databases to see which exist; a dissection's database is \"<snapshot>/<dissection>\".",
                        409, "That dissection is not completed. Poll get_dissection until it is, then query again.")));
    }

    static Route getApiStats() {
        return new Route("get_api_stats", "calls", "GET", "/mcp/stats", Role.VIEWER, null,
                "Counts, errors and latency percentiles of the calls matching a KFL filter, per group_by "
                        + "(proto, service, path, method, status, src.service, dst.service, node, minute)",
                List.of(Param.query("kfl", Type.STRING, "KFL filter, as list_api_calls takes it (empty: every call)"),
                        Param.query("db", Type.STRING, "<snapshot>/<dissection> (see list_databases); omit for real time"),
                        Param.query("group_by", Type.STRING, "Comma-separated: proto, service, path, method, status, src.service, dst.service, node, minute"),
                        Param.query("limit", Type.INTEGER, "At most this many groups, the largest first (default 100)").with("minimum", 1).with("maximum", 1000),
                        Param.query("start", Type.INTEGER, "Only calls at or after this time (ms since the epoch)"),
                        Param.query("end", Type.INTEGER, "Only calls before this time (ms since the epoch)")),
                new Tool("API call statistics",
                """
                Aggregates instead of pages: for the calls matching a KFL filter, `totals` (count, errors,
                latency_ms [p50, p95, p99]) and, per group of `group_by` (for example "service,status" or
                "dst.service,minute"), the same figures, largest groups first. `totals.count` equals
                list_api_calls' `total` for the same filter and window. An error is an HTTP status >= 400, a
                gRPC status other than 0, or another protocol's error code (DNS rcode, SQL error). service is
                the destination service; minute is the minute's start in ms. Then list_api_calls with a
                narrower kfl shows the calls of one group.""",
                object("""
                {"group_by": {"type": "array", "items": {"type": "string"}},
                 "groups": {"type": "array", "description": "Each group's keys, count, errors and latency_ms [p50, p95, p99]", "items": {"type": "object"}},
                 "totals": {"type": "object", "description": "count, errors, latency_ms [p50, p95, p99] over every matching call"},
                 "truncated": {"type": "boolean", "description": "true when limit groups came back and more may exist"}}""", "totals", "groups"),
                Kind.READ_ONLY,
                Map.of(400, "The filter or group_by was rejected; the message says which. group_by takes proto, service, path, method, status, src.service, dst.service, node, minute.",
                        404, "No such database. Call list_databases to see which exist; a dissection's database is \"<snapshot>/<dissection>\".",
                        409, "That dissection is not completed. Poll get_dissection until it is, then query again.")));
    }

    static Route listL4Flows() {
        return new Route("list_l4_flows", "calls", "GET", "/mcp/flows", Role.VIEWER, null,
                "TCP connections and UDP flows (every one, dissected or not): kfl over flow fields, db, "
                        + "aggregate=pod|namespace|service|node, limit (100, at most 1000), start/end (ms)",
                List.of(Param.query("kfl", Type.STRING, "KFL over flow fields, e.g. tcp && retransmissions > 0 (empty: every flow)"),
                        FLOWS_DB,
                        Param.query("aggregate", Type.STRING, "Sum the flows per pair of pods, namespaces, services or nodes")
                                .with("enum", List.of("pod", "namespace", "service", "node")),
                        Param.query("limit", Type.INTEGER, "At most this many flows or groups (default 100)").with("minimum", 1).with("maximum", 1000),
                        Param.query("start", Type.INTEGER, "Only flows active at or after this time (ms since the epoch)"),
                        Param.query("end", Type.INTEGER, "Only flows that began before this time (ms since the epoch)")),
                new Tool("List L4 flows",
                """
                Lists TCP connections and UDP flows, newest first, including those whose protocol trawl does not
                dissect: both ends (ip, port, pod, namespace, service, node), first_ts/last_ts (ms), packets and
                bytes each way, and TCP health counted as tshark counts it: handshake_rtt_us, retransmissions,
                out_of_order, duplicate_acks, zero_windows, resets_by_client/resets_by_server, close (fin, rst,
                open), gaps (segments after bytes the capture lacks); protocol and call_ids link to
                list_api_calls/get_api_call. With aggregate, answers groups (src and dst pod, namespace,
                service or node) with flows, packets, bytes, retransmissions and resets instead. Start with
                get_l4_flow_summary for the overview.
                """ + FLOW_KFL_HELP,
                object("""
                {"flows": {"type": "array", "description": "Without aggregate: newest first, each flow's ends, times, counts and call_ids",
                           "items": {"type": "object", "properties": {"id": {"type": "string"}, "transport": {"type": "string"}}}},
                 "total": {"type": "integer", "description": "Without aggregate: all the flows that match"},
                 "truncated": {"type": "boolean", "description": "true when more flows (or groups) match than were returned"},
                 "aggregate": {"type": "string"},
                 "groups": {"type": "array", "description": "With aggregate: src_X, dst_X, flows, packets, bytes, retransmissions, resets, ...",
                            "items": {"type": "object"}}}""", "truncated"),
                Kind.READ_ONLY,
                Map.of(400, "The filter or an argument was rejected; the message says which. Flow fields differ from call fields:\n" + FLOW_KFL_HELP,
                        404, "No such database. Call list_databases to see which exist; a dissection's database is \"<snapshot>/<dissection>\".",
                        409, "That dissection is not completed. Poll get_dissection until it is, then query again.")));
    }

    static Route getL4FlowSummary() {
        return new Route("get_l4_flow_summary", "calls", "GET", "/mcp/flows/summary", Role.VIEWER, null,
                "L4 overview of a database: totals, top talkers, cross-namespace pairs, worst connections by retransmissions and RTT",
                List.of(FLOWS_DB),
                new Tool("L4 flow summary",
                """
                The network picture of a database in one answer: totals (flows, tcp_flows, udp_flows,
                undissected_flows, packets, bytes, retransmissions, resets, zero_windows, duplicate_acks,
                out_of_order, gaps, reset_closes), top_talkers (client to server pairs by bytes),
                cross_namespace (namespace pairs that talk), worst_by_retransmissions and worst_by_rtt (the
                connections themselves). Follow up with list_l4_flows (a kfl such as dst.svc == "x" &&
                retransmissions > 0) and with get_api_call on a flow's call_ids.""",
                object("""
                {"db": {"type": "string"}, "totals": {"type": "object", "description": "flows, packets, bytes, retransmissions, resets, ..."},
                 "top_talkers": {"type": "array", "items": {"type": "object"}},
                 "cross_namespace": {"type": "array", "items": {"type": "object"}},
                 "worst_by_retransmissions": {"type": "array", "items": {"type": "object"}},
                 "worst_by_rtt": {"type": "array", "items": {"type": "object"}}}""", "totals"),
                Kind.READ_ONLY,
                Map.of(404, "No such database. Call list_databases to see which exist; a dissection's database is \"<snapshot>/<dissection>\".",
                        409, "That dissection is not completed. Poll get_dissection until it is, then query again.")));
    }

    static Route getApiCall() {
        return new Route("get_api_call", "calls", "GET", "/mcp/calls/:id", Role.VIEWER, Role.ANALYST,
                "one call with headers and payloads: db, max_payload (characters per body, default 65536)",
                List.of(Param.path("id", "The call's id, from list_api_calls"),
                        Param.query("db", Type.STRING, "<snapshot>/<dissection> the id came from; omit for real time"),
                        Param.query("max_payload", Type.INTEGER, "Characters of each body kept at most (default 65536)").restOnly()),
                new Tool("One API call's details",
                """
                Full details of one API call by its id (from list_api_calls): addresses and workloads, protocol,
                method, path, status, latency, request and response headers, and the payloads up to a size
                limit (a body that is not text is given as "base64:<data>"). Pass the same `db` that
                list_api_calls used.""",
                object("""
                {"call": {"type": "object", "description": "The call: its list_api_calls fields, and host, summary, request and response (headers, size, body; body_truncated past body_limit), fields (protocol specifics), source (its capture file)"},
                 "db": {"type": "string"}, "max_payload": {"type": "integer", "description": "Bytes of each body kept at most"}}""", "call"),
                Kind.READ_ONLY,
                Map.of(404, "No call with that id in that database. Ids come from list_api_calls with the same db.")));
    }

    private static final String SEEN = "first_seen_ts and last_seen_ts (ms): the span of the chunks whose workload table named it so";

    static Route listWorkloads() {
        return new Route("list_workloads", "snapshots", "GET", "/mcp/workloads", Role.VIEWER, null,
                "Pods with their addresses as the chunks' workload tables had them: snapshot or db, namespace, name_regex, timestamp (ms)",
                List.of(Param.query("snapshot", Type.STRING, "Read the workload tables of this snapshot's chunks (see list_snapshots)"),
                        Param.query("db", Type.STRING, "<snapshot>/<dissection>: the same as that snapshot"),
                        Param.query("namespace", Type.STRING, "Only pods of this namespace"),
                        Param.query("name_regex", Type.STRING, "Only pods whose name matches this regular expression, e.g. ^payment-"),
                        Param.query("timestamp", Type.INTEGER, "Only the chunks holding this moment (ms since the epoch); without snapshot, the raw chunks of that moment")),
                new Tool("List workloads",
                """
                Lists the pods (with namespace, service, node and every IP they had) that the capture's workload
                tables name: those of a snapshot's chunks (snapshot, or the db of one of its dissections), or of
                the raw chunks at `timestamp`, or of the last five minutes. Tables are as they were when each
                chunk was captured, so a pod replaced during the window shows with its old and new pods and
                addresses. Use it to learn which services and namespaces exist before a KFL filter such as
                dst.svc == "payment", or before a snapshot scoped to a service; list_ips answers the reverse
                question (which pod had an address).""",
                object("""
                {"workloads": {"type": "array", "description": "Each pod: pod, namespace, service, node, ips, first_seen_ts, last_seen_ts (ms)",
                               "items": {"type": "object", "properties": {"pod": {"type": "string"}, "ips": {"type": "array", "items": {"type": "string"}}}}},
                 "total": {"type": "integer"}}""", "workloads", "total"),
                Kind.READ_ONLY,
                Map.of(400, "name_regex is not a regular expression, or snapshot and db disagree; fix it and call again.",
                        404, NO_SNAPSHOT)));
    }

    static Route listIps() {
        return new Route("list_ips", "snapshots", "GET", "/mcp/ips", Role.VIEWER, null,
                "Who had each IP address, and when: snapshot, ip, timestamp (ms)",
                List.of(Param.query("snapshot", Type.STRING, "Read the workload tables of this snapshot's chunks (see list_snapshots)"),
                        Param.query("ip", Type.STRING, "Only this address, e.g. 10.0.3.7"),
                        Param.query("timestamp", Type.INTEGER, "Only the chunks holding this moment (ms since the epoch)")),
                new Tool("List IP owners",
                """
                Answers "which pod had 10.0.3.7 at 21:57": every address the workload tables name, with its pod,
                namespace, service and node, and when it was seen so. An address reused by another pod later is
                listed once per owner, each with its own time span. Give snapshot to read a snapshot's chunks,
                timestamp (ms) for one moment, ip for one address.""",
                object("""
                {"ips": {"type": "array", "description": "Each owner of an address: ip, pod, namespace, service, node, %s",
                         "items": {"type": "object", "properties": {"ip": {"type": "string"}, "pod": {"type": "string"}}}},
                 "total": {"type": "integer"}}""".formatted(SEEN), "ips", "total"),
                Kind.READ_ONLY,
                Map.of(404, NO_SNAPSHOT)));
    }

    /**
     * An output schema: the fields named are always there; others may be, as the API grows. A field
     * that may be null is an anyOf of single types, which clients that map schemas onto a one-type
     * dialect (the OpenAPI subset of some model providers) still read.
     */
    static Route verifySnapshot() {
        return new Route("verify_snapshot", "snapshots", "GET", "/mcp/snapshots/:name/verify", Role.ANALYST, null,
                "Re-read every object of a snapshot and check its sha256",
                List.of(SNAPSHOT_NAME),
                new Tool("Verify a snapshot's evidence",
                """
                Reads every object of a completed snapshot again, recomputes its sha256 and compares it with the
                snapshot's manifest and with the raw chunk it was copied from. verified is true when nothing differs;
                otherwise differences names each object that does (missing, or its bytes changed since capture).
                Use it before handing a snapshot over as evidence, or when the user asks whether it was tampered with.""",
                object("""
                {"name": {"type": "string"}, "verified": {"type": "boolean"},
                 "objects_checked": {"type": "integer"}, "raw_metas_checked": {"type": "integer", "description": "Objects also checked against their raw chunk's meta (raw chunks older than the raw retention are gone)"},
                 "differences": {"type": "array", "description": "Each differing object: key, problem, expected and actual sha256", "items": {"type": "object"}},
                 "checked_at": {"type": "string"}}""", "name", "verified", "differences"),
                Kind.READ_ONLY,
                Map.of(404, NO_SNAPSHOT, 409, "The snapshot is not completed yet: call get_snapshot until it is, then verify again.")));
    }

    /** The audit trail: who created, stopped, deleted, exported or read what, and every refused request. No tool: it is for people. */
    static Route auditTrail() {
        return new Route("audit_trail", Routes.EVERY_INSTANCE, "GET", "/mcp/audit", Role.ADMIN, null,
                "The audit trail (admin): ?since=&actor=&action=&limit=",
                List.of(Param.query("since", Type.STRING, "From this time on: an ISO-8601 instant or milliseconds since the epoch (default: the last 24 hours)"),
                        Param.query("actor", Type.STRING, "Only this caller's records"),
                        Param.query("action", Type.STRING, "Only this action (a route's name, e.g. delete_snapshot)"),
                        Param.query("limit", Type.INTEGER, "At most this many records (1 to 1000, default 100)")),
                null);
    }

    /** The REST API takes a comma list; a model may well give one name as a plain string. */
    private static Object commaList(Object value) {
        return value instanceof List<?> names ? String.join(",", names.stream().map(String::valueOf).toList()) : value;
    }

    private static String object(String properties, String... required) {
        StringBuilder json = new StringBuilder("{\"type\":\"object\",\"properties\":").append(properties.strip());
        if (required.length > 0) json.append(",\"required\":[\"").append(String.join("\",\"", required)).append("\"]");
        return json.append('}').toString();
    }

}
