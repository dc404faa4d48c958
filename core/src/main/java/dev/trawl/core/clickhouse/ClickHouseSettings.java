package dev.trawl.core.clickhouse;

import com.clickhouse.client.api.Client;
import java.net.URI;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where ClickHouse is and how to log in: {@code TRAWL_CLICKHOUSE_URL} (the HTTP interface, e.g.
 * {@code http://127.0.0.1:8123}), {@code TRAWL_CLICKHOUSE_USER} (default {@code default}),
 * {@code TRAWL_CLICKHOUSE_PASSWORD} (default empty) or {@code TRAWL_CLICKHOUSE_PASSWORD_FILE} (a
 * mounted Secret's file, read once: the password never passes through a command line or the
 * environment), {@code TRAWL_CLICKHOUSE_DATABASE} (default {@code default}).
 */
public record ClickHouseSettings(URI url, String user, String password, String database) {

    public static final String DEFAULT_URL = "http://127.0.0.1:8123";

    public ClickHouseSettings {
        Objects.requireNonNull(url, "url");
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException("TRAWL_CLICKHOUSE_URL must be an http(s) URL of ClickHouse's HTTP interface, not " + url);
        }
        user = user == null || user.isBlank() ? "default" : user;
        password = password == null ? "" : password;
        database = database == null || database.isBlank() ? "default" : database;
    }

    /** From any lookup of the environment-style names (in a Spring app, {@code environment::getProperty}). */
    public static ClickHouseSettings from(Function<String, String> lookup) {
        String url = lookup.apply("TRAWL_CLICKHOUSE_URL");
        return new ClickHouseSettings(
                URI.create(url == null || url.isBlank() ? DEFAULT_URL : url.strip()),
                lookup.apply("TRAWL_CLICKHOUSE_USER"),
                password(lookup),
                lookup.apply("TRAWL_CLICKHOUSE_DATABASE"));
    }

    private static String password(Function<String, String> lookup) {
        String password = lookup.apply("TRAWL_CLICKHOUSE_PASSWORD");
        String file = lookup.apply("TRAWL_CLICKHOUSE_PASSWORD_FILE");
        if (password != null && !password.isEmpty() || file == null || file.isBlank()) return password;
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of(file.strip())).strip();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("TRAWL_CLICKHOUSE_PASSWORD_FILE " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    public static ClickHouseSettings fromEnv() {
        return from(System::getenv);
    }

    /**
     * A client-v2 client for these settings. Compression is off: an HTTP front that is not a full
     * server (the embedded chDB one) does not speak ClickHouse's block compression, and on a
     * cluster network the bodies are RowBinary already. Callers close the client.
     */
    public Client client() {
        return new Client.Builder()
                .addEndpoint(url.toString())
                .setUsername(user)
                .setPassword(password)
                .setDefaultDatabase(database)
                .compressServerResponse(false)
                .compressClientRequest(false)
                .useHttpCompression(false)
                .setConnectTimeout(5, ChronoUnit.SECONDS)
                .setSocketTimeout(300, ChronoUnit.SECONDS)
                .setClientName("trawl")
                .build();
    }

    /** The variables a child process needs to reach the same ClickHouse. */
    public java.util.Map<String, String> toEnv() {
        var env = new java.util.LinkedHashMap<String, String>();
        env.put("TRAWL_CLICKHOUSE_URL", url.toString());
        env.put("TRAWL_CLICKHOUSE_USER", user);
        env.put("TRAWL_CLICKHOUSE_PASSWORD", password);
        env.put("TRAWL_CLICKHOUSE_DATABASE", database);
        return env;
    }

    @Override
    public String toString() {
        // never print the password
        return "ClickHouseSettings[url=" + url + ", user=" + user + ", database=" + database + "]";
    }
}
