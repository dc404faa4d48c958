package dev.trawl.functions.routes;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.StringJoiner;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * trawl's REST API as the MCP tools see it. The MCP server is an adapter over the very endpoints
 * a person calls with curl, so the two can never disagree, and a stdio server started by a
 * desktop assistant reaches a running trawl the same way the in-cluster server does.
 */
public final class TrawlApi {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** An API error is a line of JSON; more than this is not an error's text. */
    static final int ERROR_TEXT_LIMIT = 64 * 1024;

    private final URI base;
    private final HttpClient http;
    private final String authorization;

    public TrawlApi(URI base) {
        this(base, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), null);
    }

    private TrawlApi(URI base, HttpClient http, String authorization) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.http = http;
        this.authorization = authorization;
    }

    /**
     * The same API called with this {@code Authorization} header value ({@code Bearer ...}; null: none), so every
     * call is checked, and audited, as the caller's own: a tool can do exactly what its caller may do on REST.
     */
    public TrawlApi as(String authorization) {
        return new TrawlApi(base, http, authorization == null || authorization.isBlank() ? null : authorization);
    }

    public URI base() {
        return base;
    }

    public Map<String, Object> get(String path, Map<String, ?> query) {
        return send("GET", path, query, null);
    }

    public Map<String, Object> post(String path, Map<String, ?> body) {
        return send("POST", path, Map.of(), body);
    }

    public Map<String, Object> delete(String path) {
        return send("DELETE", path, Map.of(), null);
    }

    /**
     * Asks with HEAD whether a GET of a path would succeed, without its body (a download checked
     * before its URL is handed out), and answers its length when the server knows it in advance.
     * A HEAD answer has no body to say what was wrong, so a refusal is asked again as a GET for the
     * API's error text, of which at most {@link #ERROR_TEXT_LIMIT} bytes are read.
     */
    public OptionalLong head(String path, Map<String, ?> query) {
        URI uri = URI.create(base + path + queryString(query));
        HttpResponse<Void> answer = exchange(authorized(HttpRequest.newBuilder(uri)).timeout(Duration.ofSeconds(60))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        if (answer.statusCode() / 100 == 2) {
            return answer.headers().firstValueAsLong("Content-Length");
        }
        HttpResponse<InputStream> refusal = exchange(authorized(HttpRequest.newBuilder(uri)).timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        byte[] text;
        try (InputStream body = refusal.body()) {
            // a GET that succeeds after all would be the whole download: only an error's text is read
            text = refusal.statusCode() / 100 == 2 ? new byte[0] : body.readNBytes(ERROR_TEXT_LIMIT);
        } catch (IOException e) {
            text = new byte[0];
        }
        Object error = parse(text).get("error");
        throw new ApiException(answer.statusCode(), error != null ? error.toString() : "HTTP " + answer.statusCode() + " from HEAD " + path);
    }

    /** The absolute URL of a path with its query, for links handed to a user (downloads). */
    public String url(String path, Map<String, ?> query) {
        return base + path + queryString(query);
    }

    /** A path segment from a user's value: encoded, so it can never add a segment of its own. */
    public static String segment(Object value) {
        return URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Map<String, Object> send(String method, String path, Map<String, ?> query, Map<String, ?> body) {
        HttpRequest.Builder request = authorized(HttpRequest.newBuilder(URI.create(base + path + queryString(query))))
                .timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json");
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> response = exchange(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        Map<String, Object> json = parse(response.body());
        if (response.statusCode() / 100 != 2) {
            Object error = json.get("error");
            throw new ApiException(response.statusCode(), error != null ? error.toString()
                    : "HTTP " + response.statusCode() + " from " + method + " " + path);
        }
        return json;
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return authorization == null ? request : request.header("Authorization", authorization);
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> body) {
        try {
            return http.send(request, body);
        } catch (IOException e) {
            throw new ApiException(0, "trawl's API at " + base + " could not be reached (" + e.getMessage()
                    + "). Is trawl running? Start it with './trawl up', or tell './trawl mcp' where it runs (--api URL, --port-offset N or TRAWL_API_URL).");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted while calling trawl's API");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(byte[] body) {
        if (body.length == 0) return new LinkedHashMap<>();
        try {
            Object value = JSON.readValue(body, Object.class);
            if (value instanceof Map<?, ?> map) return (Map<String, Object>) map;
            Map<String, Object> wrapped = new LinkedHashMap<>();
            wrapped.put("result", value);
            return wrapped;
        } catch (RuntimeException notJson) {
            Map<String, Object> wrapped = new LinkedHashMap<>();
            wrapped.put("error", new String(body, 0, Math.min(body.length, 500), StandardCharsets.UTF_8));
            return wrapped;
        }
    }

    private static String queryString(Map<String, ?> query) {
        StringJoiner joiner = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((k, v) -> {
            if (v != null && !v.toString().isEmpty()) {
                joiner.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
            }
        });
        return joiner.toString();
    }

    /** An answer other than 2xx, with the API's own error text and its HTTP status (0: unreachable). */
    public static final class ApiException extends RuntimeException {
        private final int status;

        public ApiException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
