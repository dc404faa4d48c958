package dev.trawl.core.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.GenericRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * trawl's ClickHouse schema, in one place: the scripts {@code V<n>__<what>.sql} next to this
 * class, applied in version order; each applied version is recorded in {@code schema_migrations},
 * so running this again (every start of every component) applies only what is new. Scripts must
 * themselves be idempotent ({@code IF NOT EXISTS}): two components starting at once may both
 * apply a version before either records it.
 *
 * <p>On a ClickHouse cluster ({@code TRAWL_CLICKHOUSE_CLUSTER}) the same scripts are applied in
 * their cluster form: every DDL {@code ON CLUSTER}, each MergeTree table becomes a
 * {@code Replicated} table {@code <name>_local} on every shard plus a {@code Distributed} table
 * under the script's name, which the code reads and writes as on one server; the ledger is one
 * replicated table for the whole cluster. Single-node stays the default.
 */
public final class ClickHouseSchema {
    private static final Logger log = LoggerFactory.getLogger(ClickHouseSchema.class);
    static final String RESOURCE_DIR = "dev/trawl/core/clickhouse/";
    private static final Pattern SCRIPT = Pattern.compile("V(\\d+)__([A-Za-z0-9_]+)\\.sql");

    private ClickHouseSchema() {}

    /** One versioned script. */
    public record Migration(int version, String description, String resource) {
        public String sql() {
            try (InputStream in = ClickHouseSchema.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) throw new IllegalStateException("schema script " + resource + " is missing");
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The migration Job's entry point ({@code java -cp @/app/jib-classpath-file
     * dev.trawl.core.clickhouse.ClickHouseSchema migrate} in the dissector's image): the schema
     * owner creates the database and applies what is new, so no running component needs DDL rights.
     */
    public static void main(String[] args) {
        if (args.length != 1 || !args[0].equals("migrate")) {
            System.err.println("usage: ClickHouseSchema migrate   (TRAWL_CLICKHOUSE_URL, _USER, _PASSWORD_FILE, _DATABASE, _CLUSTER)");
            System.exit(2);
        }
        List<Integer> applied = migrateDatabase(System::getenv);
        System.out.println("ClickHouse schema: applied " + (applied.isEmpty() ? "nothing new" : "V" + applied));
    }

    /** Creates the settings' database (on every server of the cluster) and migrates it; returns the versions applied. */
    public static List<Integer> migrateDatabase(java.util.function.Function<String, String> env) {
        ClickHouseSettings settings = ClickHouseSettings.from(env);
        String cluster = cluster(env);
        if (!settings.database().matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
            throw new IllegalArgumentException("TRAWL_CLICKHOUSE_DATABASE must be a plain name, not " + settings.database());
        }
        try (Client server = new ClickHouseSettings(settings.url(), settings.user(), settings.password(), "default").client()) {
            execute(server, "CREATE DATABASE IF NOT EXISTS " + settings.database() + (cluster == null ? "" : " ON CLUSTER '" + cluster + "'"));
        }
        try (Client client = settings.client()) {
            return migrate(client, cluster);
        }
    }

    /** The cluster of {@code TRAWL_CLICKHOUSE_CLUSTER}, or null: one server. */
    public static String cluster(java.util.function.Function<String, String> env) {
        String cluster = env.apply("TRAWL_CLICKHOUSE_CLUSTER");
        return cluster == null || cluster.isBlank() ? null : ClusterDdl.checkedName(cluster.strip());
    }

    /** Applies every script not yet recorded, in version order, in the form {@code TRAWL_CLICKHOUSE_CLUSTER} asks for. */
    public static List<Integer> migrate(Client client) {
        return migrate(client, cluster(System::getenv));
    }

    /** Applies every script not yet recorded, in version order; returns the versions it applied. */
    public static List<Integer> migrate(Client client, String cluster) {
        // a schema that is up to date costs one SELECT and needs no DDL right: the Services, which
        // read and write only, start on a schema the migration Job applied
        Set<Integer> applied;
        try {
            applied = appliedVersions(client);
        } catch (RuntimeException noLedgerYet) {
            execute(client, ledger(cluster));
            applied = appliedVersions(client);
        }
        List<Integer> done = new ArrayList<>();
        ClusterDdl form = cluster == null ? null : new ClusterDdl(cluster);
        for (Migration m : migrations()) {
            if (applied.contains(m.version())) continue;
            for (String statement : statements(m.sql())) {
                for (String s : form == null ? List.of(statement) : form.rewrite(statement)) execute(client, s);
            }
            execute(client, "INSERT INTO schema_migrations (version, description) VALUES ("
                    + m.version() + ", '" + m.description().replace("'", "") + "')");
            log.info("ClickHouse schema: applied V{}__{}", m.version(), m.description());
            done.add(m.version());
        }
        return done;
    }

    /**
     * Every statement {@link #migrate} applies to an empty database, in order: what
     * {@code ./trawl schema [--cluster NAME]} prints.
     */
    public static List<String> ddl(String cluster) {
        if (cluster != null) ClusterDdl.checkedName(cluster);
        List<String> out = new ArrayList<>();
        out.add(ledger(cluster));
        ClusterDdl form = cluster == null ? null : new ClusterDdl(cluster);
        for (Migration m : migrations()) {
            for (String statement : statements(m.sql())) out.addAll(form == null ? List.of(statement) : form.rewrite(statement));
            out.add("INSERT INTO schema_migrations (version, description) VALUES (" + m.version() + ", '" + m.description().replace("'", "") + "')");
        }
        return out;
    }

    // the ledger: on a cluster one replicated table whose replicas are every server of every shard
    // (a path without {shard}), so each server sees which versions the cluster has
    private static String ledger(String cluster) {
        String engine = cluster == null ? "ReplacingMergeTree(applied_at)"
                : "ReplicatedReplacingMergeTree('/clickhouse/tables/cluster-wide/{database}/schema_migrations', '{shard}-{replica}', applied_at)";
        return "CREATE TABLE IF NOT EXISTS schema_migrations" + (cluster == null ? "" : " ON CLUSTER '" + cluster + "'")
                + "\n(\n    version     UInt32,\n    description String,\n    applied_at  DateTime64(3, 'UTC') DEFAULT now64(3)\n)"
                + "\nENGINE = " + engine + "\nORDER BY version";
    }

    public static Set<Integer> appliedVersions(Client client) {
        Set<Integer> versions = new HashSet<>();
        for (GenericRecord r : client.queryAll("SELECT DISTINCT version FROM schema_migrations")) {
            versions.add((int) r.getLong(1));
        }
        return versions;
    }

    /** The scripts on the class path, in version order; two scripts with one version are an error. */
    public static List<Migration> migrations() {
        List<String> names = new ArrayList<>();
        try {
            Enumeration<URL> dirs = ClickHouseSchema.class.getClassLoader().getResources(RESOURCE_DIR);
            while (dirs.hasMoreElements()) names.addAll(listDirectory(dirs.nextElement()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + RESOURCE_DIR, e);
        }
        List<Migration> out = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (String name : names) {
            Matcher m = SCRIPT.matcher(name);
            if (!m.matches()) continue;
            int version = Integer.parseInt(m.group(1));
            if (!seen.add(version)) throw new IllegalStateException("two schema scripts have version " + version);
            out.add(new Migration(version, m.group(2), RESOURCE_DIR + name));
        }
        out.sort(Comparator.comparingInt(Migration::version));
        return out;
    }

    private static List<String> listDirectory(URL dir) throws IOException {
        List<String> names = new ArrayList<>();
        switch (dir.getProtocol()) {
            case "file" -> {
                try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
                    files.forEach(p -> names.add(p.getFileName().toString()));
                } catch (URISyntaxException e) {
                    throw new IOException(e);
                }
            }
            case "jar" -> {
                // also a Spring Boot nested jar: its handler answers a JarURLConnection too
                JarURLConnection connection = (JarURLConnection) dir.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = connection.getJarFile()) {
                    for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                        String entry = entries.nextElement().getName();
                        if (entry.startsWith(RESOURCE_DIR) && entry.indexOf('/', RESOURCE_DIR.length()) < 0) {
                            names.add(entry.substring(RESOURCE_DIR.length()));
                        }
                    }
                }
            }
            default -> throw new IOException("cannot list schema scripts in " + dir);
        }
        return names;
    }

    /** Splits a script at the semicolons that end statements (not those in strings or comments). */
    public static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int n = script.length();
        for (int i = 0; i < n; i++) {
            char c = script.charAt(i);
            if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                int end = script.indexOf('\n', i);
                i = end < 0 ? n : end;
                current.append('\n');
                continue;
            }
            if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int end = script.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 1;
                current.append(' ');
                continue;
            }
            if (c == '\'' || c == '"' || c == '`') {
                int j = i + 1;
                while (j < n && script.charAt(j) != c) {
                    if (script.charAt(j) == '\\') j++;
                    j++;
                }
                current.append(script, i, Math.min(j + 1, n));
                i = j;
                continue;
            }
            if (c == ';') {
                addStatement(out, current);
                continue;
            }
            current.append(c);
        }
        addStatement(out, current);
        return out;
    }

    private static void addStatement(List<String> out, StringBuilder current) {
        String s = current.toString().strip();
        if (!s.isEmpty()) out.add(s);
        current.setLength(0);
    }

    static void execute(Client client, String sql) {
        try {
            client.execute(sql).get(300, TimeUnit.SECONDS).close();
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("ClickHouse schema statement failed: " + firstLine(sql) + ": " + cause.getMessage(), cause);
        }
    }

    private static String firstLine(String sql) {
        String line = sql.strip().lines().findFirst().orElse("");
        return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    }
}
