package dev.trawl.embedded.clickhouse;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enough of ClickHouse's HTTP interface over chDB for the stock clients (clickhouse-jdbc, client-v2,
 * curl, an analyst's tool): the query in the URL or the body, {@code database}, sessions,
 * {@code default_format} or a FORMAT clause, settings as URL parameters, {@code param_*} query
 * parameters (bound by the engine, never pasted), {@code INSERT ... FORMAT X} with the data in the
 * body streamed through chDB's stream-insert API, results streamed back in chunks, the
 * {@code X-ClickHouse-*} headers, ClickHouse's native block compression ({@code compress=1},
 * {@code decompress=1}), gzip/deflate request bodies, and errors as a server sends them: HTTP 500,
 * {@code X-ClickHouse-Exception-Code} and a {@code Code: N. DB::Exception: ...} body.
 */
public final class ClickHouseHttpFront implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClickHouseHttpFront.class);
    private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SET_ASSIGNMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*('(?:[^'\\\\]|\\\\.)*'|[^,\\s]+)");
    private static final int UNKNOWN_SETTING = 115;
    private static final int READONLY = 164;
    private static final int AUTHENTICATION_FAILED = 516;
    private static final int SYNTAX_ERROR = 62;
    private static final int NOT_IMPLEMENTED = 48;
    /** URL parameters that steer the HTTP exchange rather than being engine settings. */
    private static final Set<String> HTTP_PARAMETERS = Set.of(
            "query", "database", "default_format", "user", "password", "quota_key", "query_id",
            "session_id", "session_timeout", "session_check", "compress", "decompress", "buffer_size",
            "wait_end_of_query", "role", "stacktrace", "client_protocol_version", "enable_http_compression",
            "http_headers_progress_interval_ms", "send_progress_in_http_headers", "add_http_cors_header",
            "cancel_http_readonly_queries_on_client_close", "http_wait_end_of_query", "http_response_buffer_size",
            "http_native_compression_disable_checksumming_on_decompress", "extremes", "result_overflow_mode",
            "http_write_exception_in_output_format", "output_format_written_exception_format", "network_compression_method");

    /** A user the front accepts: name, password (empty for none), and whether it may only read. */
    public record User(String name, String password, boolean readonly) {}

    private final Chdb chdb;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AccessControl access;
    private final QuerySandbox sandbox;
    private final Set<String> ownHostNames;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final String timezone;
    private final String version;

    private ClickHouseHttpFront(Chdb chdb, HttpServer server, ExecutorService executor, String defaultPassword) {
        this.chdb = chdb;
        this.server = server;
        this.executor = executor;
        this.access = new AccessControl(chdb.path(), defaultPassword);
        this.sandbox = chdb.withConnection(QuerySandbox::of);
        this.ownHostNames = ownHostNames(server.getAddress());
        this.timezone = chdb.query("SELECT timezone()").text().strip();
        this.version = chdb.query("SELECT version()").text().strip();
    }

    /**
     * Serves {@code chdb} on {@code host:port} (0 picks a free port); user {@code default} logs in
     * with {@code defaultPassword}.
     */
    public static ClickHouseHttpFront start(Chdb chdb, String host, int port, String defaultPassword) throws IOException {
        // sockets that send half a header hold a virtual thread each, no pool that others need
        dev.trawl.core.web.JdkHttpServerLimits.apply();
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("clickhouse-http-", 0).factory());
        server.setExecutor(executor);
        ClickHouseHttpFront front = new ClickHouseHttpFront(chdb, server, executor, defaultPassword);
        server.createContext("/", front::handle);
        server.start();
        return front;
    }

    /** Adds or replaces a user (e.g. the read-only analyst). */
    public void addUser(User user) {
        access.put(user.name(), user.password(), user.readonly());
    }

    public URI url() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getHostString() + ":" + address.getPort());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            log.debug("{} {}", exchange.getRequestMethod(), path); // the query string may carry a password
            if (!isOwnHost(exchange.getRequestHeaders().getFirst("Host"))) {
                // a page in a browser on this machine may not talk to it under another name (DNS rebinding)
                sendError(exchange, 403, new ChdbException(QuerySandbox.ACCESS_DENIED, "Host header is not a name of this server"));
                return;
            }
            Map<String, String> params = parseParams(exchange.getRequestURI().getRawQuery());
            if (path.equals("/ping") || path.equals("/replicas_status")
                    || path.equals("/") && !params.containsKey("query") && "GET".equals(exchange.getRequestMethod())
                    || "HEAD".equals(exchange.getRequestMethod())) {
                sendText(exchange, 200, "Ok.\n");
                return;
            }
            if (!path.equals("/")) {
                sendError(exchange, 404, new ChdbException(NOT_IMPLEMENTED, "There is no handle " + path));
                return;
            }
            try {
                execute(exchange, params);
            } catch (ChdbException e) {
                sendError(exchange, switch (e.code()) {
                    case AUTHENTICATION_FAILED -> 401;
                    case QuerySandbox.ACCESS_DENIED -> 403;
                    default -> 500;
                }, e);
            } catch (IOException e) {
                log.debug("client went away: {}", e.toString());
            } catch (RuntimeException e) {
                log.warn("query failed", e);
                sendError(exchange, 500, new ChdbException(ChdbException.UNKNOWN_EXCEPTION, String.valueOf(e.getMessage())));
            }
        }
    }

    private void execute(HttpExchange exchange, Map<String, String> params) throws IOException {
        Headers request = exchange.getRequestHeaders();
        AccessControl.User user = authenticate(request, params);
        Session session = session(params);
        // as on a server, GET only reads (readonly = 2: settings may change, data may not)
        boolean readonly = user.readonly() || "GET".equals(exchange.getRequestMethod())
                || "1".equals(params.get("readonly")) || "2".equals(params.get("readonly"));

        InputStream body = requestBody(exchange, params);
        String queryParam = params.get("query");
        Query query = queryParam != null ? Query.ofParameter(queryParam, body) : Query.fromBody(body);

        Map<String, String> settings = new LinkedHashMap<>(session.settings);
        Map<String, String> queryParams = new LinkedHashMap<>();
        for (var e : params.entrySet()) {
            String name = e.getKey();
            if (name.startsWith("param_")) queryParams.put(name.substring(6), e.getValue());
            else if (!HTTP_PARAMETERS.contains(name) && !name.equals("readonly")) {
                if (!SETTING_NAME.matcher(name).matches()) throw new ChdbException(UNKNOWN_SETTING, "Unknown setting " + name);
                QuerySandbox.checkSetting(name);
                settings.put(name, e.getValue());
            }
        }
        // like readonly = 2, a read-only user may still change settings: reading is enforced per statement below
        String database = session.database != null ? session.database : params.getOrDefault("database", request.getFirst("X-ClickHouse-Database"));
        if (database == null || database.isBlank()) database = "default";
        String queryId = params.getOrDefault("query_id", UUID.randomUUID().toString());
        boolean compress = "1".equals(params.get("compress")) || "true".equalsIgnoreCase(params.get("compress"));
        boolean waitEnd = "1".equals(params.get("wait_end_of_query"));

        Sql.Statement statement = query.statement;
        if (statement.keyword().isEmpty()) throw new ChdbException(SYNTAX_ERROR, "Empty query");
        if (query.sql != null && AccessControl.isAccessStatement(query.sql)) {
            if (readonly && !user.readonly()) throw new ChdbException(READONLY, "Cannot manage users in a GET");
            access.execute(query.sql, user);
            exchange.getResponseHeaders().set("X-ClickHouse-Summary", summary(0, 0, 0, 0, 0, 0));
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        try (Chdb.Lease lease = chdb.lease(readonly)) {
            ChdbConnection c = lease.connection();
            applySettings(c, settings);
            c.useDatabase(database);
            if (query.sql == null) {
                sandbox.check(c, query.insertStatement + " FORMAT " + statement.format(), queryParams);
            } else if (statement.stoppedAtValues()) {
                sandbox.check(c, query.sql.substring(0, statement.formatStart()) + " FORMAT Values", queryParams);
                sandbox.checkValues(query.sql.substring(statement.formatStart()));
            } else {
                sandbox.check(c, query.sql, queryParams);
            }
            if (readonly && !isReadOnly(statement.keyword())) {
                throw new ChdbException(READONLY, "Cannot execute query in readonly mode. (user " + user.name() + ")");
            }
            Headers response = exchange.getResponseHeaders();
            response.set("X-ClickHouse-Query-Id", queryId);
            response.set("X-ClickHouse-Timezone", timezone);
            response.set("X-ClickHouse-Server-Display-Name", "trawl-chdb");
            if (query.insertData != null) {
                ChdbResult r;
                try (var insert = c.insert(query.insertStatement, statement.format(), queryParams)) {
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = query.insertData.read(buf)) > 0) insert.append(buf, 0, n);
                    r = insert.done();
                }
                response.set("X-ClickHouse-Summary", summary(0, 0, r.rowsWritten(), r.bytesWritten(), r.elapsedSeconds(), 0));
                response.set("Content-Type", "text/plain; charset=UTF-8");
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            String sql = query.sql;
            String format = statement.hasFormat() ? statement.format()
                    : params.getOrDefault("default_format", request.getFirst("X-ClickHouse-Format") != null ? request.getFirst("X-ClickHouse-Format") : "TabSeparated");
            ChunkedFormat chunking = ChunkedFormat.of(format);
            if (!Sql.streams(statement.keyword()) || waitEnd || chunking == ChunkedFormat.WHOLE) {
                ChdbResult result = c.query(sql, format, queryParams);
                // before the answer: the client's next request in this session may arrive at once
                remember(session, statement.keyword(), sql, c);
                sendWhole(exchange, result, format, compress);
                return;
            }
            try (var stream = c.stream(sql, format, queryParams)) {
                byte[] first = stream.next(); // an error in the first chunk still becomes an HTTP 500
                if (first == null && chunking.hasHeader()) {
                    // no rows came, and with them no header: the whole (empty) result carries it
                    stream.close();
                    sendWhole(exchange, c.query(sql, format, queryParams), format, compress);
                    return;
                }
                byte[] header = first == null ? new byte[0] : java.util.Arrays.copyOf(first, chunking.headerLength(first));
                response.set("X-ClickHouse-Format", format);
                response.set("Content-Type", contentType(format));
                response.set("X-ClickHouse-Summary", summary(stream.rowsRead(), stream.bytesRead(), 0, 0, stream.elapsedSeconds(), 0));
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = compress ? ClickHouseCompression.compressing(exchange.getResponseBody()) : exchange.getResponseBody();
                try {
                    if (first != null) out.write(first);
                    for (byte[] chunk = stream.next(); chunk != null; chunk = stream.next()) {
                        out.write(chunking.hasHeader() ? chunking.body(chunk, header) : chunk);
                    }
                } catch (ChdbException midStream) {
                    // headers are gone: like a ClickHouse server, say it in the body
                    out.write(("\n" + midStream.clickHouseText() + "\n").getBytes(StandardCharsets.UTF_8));
                }
                out.close();
            }
        }
    }

    private static void sendWhole(HttpExchange exchange, ChdbResult r, String format, boolean compress) throws IOException {
        Headers response = exchange.getResponseHeaders();
        response.set("X-ClickHouse-Format", format);
        response.set("Content-Type", contentType(format));
        response.set("X-ClickHouse-Summary", summary(r.rowsRead(), r.bytesRead(), r.rowsWritten(), r.bytesWritten(), r.elapsedSeconds(), 0));
        send(exchange, compress, r.data());
    }

    private static boolean isReadOnly(String keyword) {
        return switch (keyword) {
            case "SELECT", "WITH", "FROM", "(", "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "EXISTS", "USE", "SET" -> true;
            default -> false;
        };
    }

    /** Brings a pooled connection's settings to what this request asks for (a SET only for what differs). */
    private static void applySettings(ChdbConnection c, Map<String, String> wanted) {
        Map<String, String> applied = c.settings();
        for (var it = applied.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                c.query("SET " + e.getKey() + " = DEFAULT", "TabSeparated", Map.of());
                it.remove();
            }
        }
        for (var e : wanted.entrySet()) {
            if (e.getValue().equals(applied.get(e.getKey()))) continue;
            c.query("SET " + e.getKey() + " = " + literal(e.getValue()), "TabSeparated", Map.of());
            applied.put(e.getKey(), e.getValue());
        }
    }

    private static String literal(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /**
     * A SET lasts for the session's later requests when there is a session; either way the
     * connection remembers it, so the next request that does not want it puts it back to DEFAULT.
     * A USE needs nothing here: the next request names its database anyway.
     */
    private static void remember(Session session, String keyword, String sql, ChdbConnection c) {
        if (session.id != null && keyword.equals("USE")) session.database = c.database();
        if (keyword.equals("SET")) {
            Matcher m = SET_ASSIGNMENT.matcher(sql.strip().substring(3));
            while (m.find()) {
                String v = m.group(2);
                if (v.startsWith("'")) v = v.substring(1, v.length() - 1).replace("\\'", "'").replace("\\\\", "\\");
                c.settings().put(m.group(1), v);
                if (session.id != null) session.settings.put(m.group(1), v);
            }
        }
    }

    private boolean isOwnHost(String hostHeader) {
        if (hostHeader == null) return true; // HTTP/1.0 names no host
        String host = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) host = host.substring(0, Math.max(host.indexOf(']') + 1, 1));
        else if (host.indexOf(':') >= 0) host = host.substring(0, host.indexOf(':'));
        return ownHostNames.contains(host);
    }

    private static Set<String> ownHostNames(InetSocketAddress bound) {
        Set<String> names = new java.util.HashSet<>(Set.of("localhost", "127.0.0.1", "[::1]"));
        names.add(bound.getHostString().toLowerCase(Locale.ROOT));
        if (bound.getAddress() != null && bound.getAddress().isAnyLocalAddress()) {
            try {
                names.add(java.net.InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT));
            } catch (IOException e) {
                log.debug("no host name: {}", e.toString());
            }
        }
        return Set.copyOf(names);
    }

    private AccessControl.User authenticate(Headers request, Map<String, String> params) {
        String name = params.get("user");
        String password = params.get("password");
        if (name == null) name = request.getFirst("X-ClickHouse-User");
        if (password == null) password = request.getFirst("X-ClickHouse-Key");
        String authorization = request.getFirst("Authorization");
        if (name == null && authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            name = colon < 0 ? decoded : decoded.substring(0, colon);
            password = colon < 0 ? "" : decoded.substring(colon + 1);
        }
        if (name == null || name.isEmpty()) name = "default";
        if (password == null) password = "";
        return access.authenticate(name, password);
    }

    private Session session(Map<String, String> params) {
        String id = params.get("session_id");
        if (id == null || id.isEmpty()) return new Session(null);
        if ("1".equals(params.get("session_check")) && !sessions.containsKey(id)) {
            throw new ChdbException(372, "Session " + id + " not found");
        }
        if (sessions.size() > 10_000) sessions.clear(); // sessions expire on the server; keep this bounded
        return sessions.computeIfAbsent(id, Session::new);
    }

    private static InputStream requestBody(HttpExchange exchange, Map<String, String> params) throws IOException {
        InputStream body = exchange.getRequestBody();
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        if (encoding != null) {
            switch (encoding.trim().toLowerCase(Locale.ROOT)) {
                case "gzip", "x-gzip" -> body = new GZIPInputStream(body, 1 << 16);
                case "deflate" -> body = new InflaterInputStream(body);
                case "", "identity" -> { }
                default -> throw new ChdbException(NOT_IMPLEMENTED, "Content-Encoding " + encoding + " is not supported by trawl's embedded ClickHouse");
            }
        }
        if ("1".equals(params.get("decompress")) || "true".equalsIgnoreCase(params.get("decompress"))) {
            body = ClickHouseCompression.decompressing(body);
        }
        return body;
    }

    private static void send(HttpExchange exchange, boolean compress, byte[] data) throws IOException {
        if (compress && data.length > 0) {
            ByteArrayOutputStream framed = new ByteArrayOutputStream();
            try (OutputStream out = ClickHouseCompression.compressing(framed)) {
                out.write(data);
            }
            data = framed.toByteArray();
        }
        exchange.sendResponseHeaders(200, data.length == 0 ? -1 : data.length);
        if (data.length > 0) exchange.getResponseBody().write(data);
    }

    private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=UTF-8");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void sendError(HttpExchange exchange, int status, ChdbException e) throws IOException {
        exchange.getResponseHeaders().set("X-ClickHouse-Exception-Code", String.valueOf(e.code()));
        sendText(exchange, status, e.clickHouseText() + "\n");
    }

    private static String summary(long readRows, long readBytes, long writtenRows, long writtenBytes, double elapsedSeconds, long resultRows) {
        return "{\"read_rows\":\"" + readRows + "\",\"read_bytes\":\"" + readBytes + "\",\"written_rows\":\"" + writtenRows
                + "\",\"written_bytes\":\"" + writtenBytes + "\",\"total_rows_to_read\":\"0\",\"result_rows\":\"" + resultRows
                + "\",\"result_bytes\":\"0\",\"elapsed_ns\":\"" + (long) (elapsedSeconds * 1e9) + "\"}";
    }

    private static String contentType(String format) {
        String f = format.toLowerCase(Locale.ROOT);
        if (f.startsWith("json")) return "application/json; charset=UTF-8";
        if (f.startsWith("tabseparated") || f.startsWith("tsv")) return "text/tab-separated-values; charset=UTF-8";
        if (f.startsWith("csv")) return "text/csv; charset=UTF-8";
        if (f.startsWith("pretty") || f.equals("vertical") || f.equals("markdown")) return "text/plain; charset=UTF-8";
        return "application/octet-stream";
    }

    private static Map<String, String> parseParams(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return params;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(k, v);
        }
        return params;
    }

    /** The database and SET settings a {@code session_id} carries between requests. */
    private static final class Session {
        final String id;
        volatile String database;
        final Map<String, String> settings = new ConcurrentHashMap<>();

        Session(String id) {
            this.id = id;
        }
    }

    /**
     * A request's statement. For {@code INSERT ... FORMAT X}, the statement without the clause and
     * the data as a stream (what follows the format name, then the body); otherwise the SQL text.
     */
    private record Query(Sql.Statement statement, String sql, String insertStatement, InputStream insertData) {
        private static final int MAX_QUERY = 256 << 20;

        static Query ofParameter(String text, InputStream body) throws IOException {
            Sql.Statement s = Sql.parse(text);
            if (s.isInsert() && s.hasFormat()) {
                byte[] inline = text.substring(skipToData(text, s.dataStart())).getBytes(StandardCharsets.UTF_8);
                return new Query(s, null, text.substring(0, s.formatStart()), new SequenceInputStream(new ByteArrayInputStream(inline), body));
            }
            // ClickHouse reads the query as the parameter followed by the body (e.g. VALUES data)
            byte[] rest = body.readNBytes(MAX_QUERY);
            String sql = rest.length == 0 ? text : text + "\n" + new String(rest, StandardCharsets.UTF_8);
            return new Query(Sql.parse(sql), sql, null, null);
        }

        static Query fromBody(InputStream body) throws IOException {
            // Read only as far as the statement's FORMAT clause: the data after it is streamed. A
            // clause further in than SCAN bytes is not looked for (the rest is read as SQL).
            final int scan = 1 << 20;
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            while (true) {
                int n = body.read(buf);
                if (n > 0) head.write(buf, 0, n);
                if (head.size() > scan) break;
                String text = head.toString(StandardCharsets.ISO_8859_1); // byte offsets = char offsets
                Sql.Statement s = Sql.parse(text);
                if (s.isInsert() && s.hasFormat() && (s.dataStart() < text.length() || n < 0)) {
                    byte[] all = head.toByteArray();
                    int dataStart = skipToData(text, s.dataStart());
                    String statement = new String(all, 0, s.formatStart(), StandardCharsets.UTF_8);
                    InputStream data = new SequenceInputStream(new ByteArrayInputStream(all, dataStart, all.length - dataStart), body);
                    return new Query(s, null, statement, data);
                }
                if (n < 0 || s.stoppedAtValues()) break;
            }
            head.write(body.readNBytes(MAX_QUERY));
            String sql = head.toString(StandardCharsets.UTF_8);
            return new Query(Sql.parse(sql), sql, null, null);
        }

        /** Data starts after the format name, its trailing blanks and one line break. */
        private static int skipToData(String text, int i) {
            while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) i++;
            if (i < text.length() && text.charAt(i) == '\r') i++;
            if (i < text.length() && text.charAt(i) == '\n') i++;
            return i;
        }
    }
}
