package dev.trawl.embedded.clickhouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users of the embedded ClickHouse. chDB has no access management of its own (it refuses
 * {@code CREATE USER}), so the HTTP front keeps it: {@code CREATE USER ... IDENTIFIED BY ...
 * [SETTINGS readonly = 1]}, {@code DROP USER} and {@code GRANT} are understood well enough for a
 * schema script to create a read-only analyst, users persist beside the data (passwords as
 * SHA-256), and a read-only user is held to reading by the front. Other access statements (roles,
 * profiles, quotas, row policies) are accepted and have no effect.
 */
final class AccessControl {
    private static final Logger log = LoggerFactory.getLogger(AccessControl.class);
    private static final String FILE = "trawl-users.properties";
    private static final Pattern CREATE_USER = Pattern.compile(
            "(?is)^\\s*CREATE\\s+USER\\s+(?:(IF\\s+NOT\\s+EXISTS)\\s+|(OR\\s+REPLACE)\\s+)?([`\"]?)([A-Za-z0-9_.-]+)\\3(.*)$");
    private static final Pattern IDENTIFIED = Pattern.compile("(?is)IDENTIFIED\\s+(?:WITH\\s+\\w+\\s+)?BY\\s+'((?:[^'\\\\]|\\\\.|'')*)'");
    private static final Pattern READONLY = Pattern.compile("(?is)\\breadonly\\s*=\\s*'?(\\d)");
    private static final Pattern DROP_USER = Pattern.compile("(?is)^\\s*DROP\\s+USER\\s+(IF\\s+EXISTS\\s+)?(.+?)\\s*;?\\s*$");
    private static final Pattern GRANT = Pattern.compile("(?is)^\\s*GRANT\\s+(.+?)\\s+ON\\s+\\S+\\s+TO\\s+(.+?)(\\s+WITH\\s+.*)?\\s*;?\\s*$");
    private static final Pattern WRITE_PRIVILEGE = Pattern.compile("(?i)\\b(ALL|INSERT|ALTER|CREATE|DROP|TRUNCATE|OPTIMIZE)\\b");
    private static final Pattern OTHER_ACCESS = Pattern.compile(
            "(?is)^\\s*(ALTER\\s+USER|REVOKE|CREATE\\s+(ROLE|SETTINGS\\s+PROFILE|PROFILE|QUOTA|ROW\\s+POLICY|POLICY)|DROP\\s+(ROLE|SETTINGS\\s+PROFILE|PROFILE|QUOTA|ROW\\s+POLICY|POLICY)|SET\\s+DEFAULT\\s+ROLE)\\b.*");

    /** A user: name, SHA-256 of the password, and whether it may only read. */
    record User(String name, String passwordSha256, boolean readonly) {
        boolean accepts(String password) {
            return MessageDigest.isEqual(passwordSha256.getBytes(StandardCharsets.US_ASCII), sha256(password).getBytes(StandardCharsets.US_ASCII));
        }
    }

    private final Path file;
    private final Map<String, User> users = new ConcurrentHashMap<>();

    AccessControl(Path dataDir, String defaultPassword) {
        this.file = dataDir == null ? null : dataDir.resolve(FILE);
        users.put("default", new User("default", sha256(defaultPassword), false));
        load();
    }

    User authenticate(String name, String password) {
        User user = users.get(name);
        if (user == null || !user.accepts(password)) {
            throw new ChdbException(516, name + ": Authentication failed: password is incorrect, or there is no user with such name.");
        }
        return user;
    }

    void put(String name, String password, boolean readonly) {
        users.put(name, new User(name, sha256(password), readonly));
        save();
    }

    /** Whether the statement is access management, which the front answers itself. */
    static boolean isAccessStatement(String sql) {
        String s = sql.stripLeading().toUpperCase(Locale.ROOT);
        return s.startsWith("GRANT") || CREATE_USER.matcher(sql).matches() || DROP_USER.matcher(sql).matches() || OTHER_ACCESS.matcher(sql).matches();
    }

    /** Runs an access statement for {@code by} (who must be allowed to write). */
    void execute(String sql, User by) {
        if (by.readonly()) throw new ChdbException(497, by.name() + ": Not enough privileges to manage users");
        Matcher m = CREATE_USER.matcher(sql);
        if (m.matches()) {
            String name = m.group(4);
            if (users.containsKey(name)) {
                if (m.group(1) != null) return;
                if (m.group(2) == null) throw new ChdbException(493, "user `" + name + "`: cannot insert user `" + name + "` because user `" + name + "` already exists");
            }
            String rest = m.group(5);
            Matcher pw = IDENTIFIED.matcher(rest);
            String password = pw.find() ? pw.group(1).replace("''", "'").replace("\\'", "'").replace("\\\\", "\\") : "";
            Matcher ro = READONLY.matcher(rest);
            // a new user is read-only until a GRANT lets it write
            boolean readonly = !ro.find() || !ro.group(1).equals("0");
            put(name, password, readonly);
            log.info("user {} created ({})", name, readonly ? "read-only" : "read-write");
            return;
        }
        m = DROP_USER.matcher(sql);
        if (m.matches()) {
            for (String raw : m.group(2).split(",")) {
                String name = Sql.unquoteIdentifier(raw.strip());
                if (name.equals("default")) throw new ChdbException(497, "the default user cannot be dropped");
                if (users.remove(name) == null && m.group(1) == null) throw new ChdbException(192, "There is no user `" + name + "`");
            }
            save();
            return;
        }
        m = GRANT.matcher(sql);
        if (m.matches()) {
            if (WRITE_PRIVILEGE.matcher(m.group(1)).find()) {
                for (String raw : m.group(2).split(",")) {
                    User u = users.get(Sql.unquoteIdentifier(raw.strip()));
                    if (u != null) users.put(u.name(), new User(u.name(), u.passwordSha256(), false));
                }
                save();
            }
            return;
        }
        log.info("access statement accepted without effect (the embedded ClickHouse keeps users only): {}", sql.strip());
    }

    private void load() {
        if (file == null || !Files.isRegularFile(file)) return;
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        for (String name : p.stringPropertyNames()) {
            String[] v = p.getProperty(name).split(":", 2);
            if (v.length == 2) users.put(name, new User(name, v[0], v[1].equals("readonly")));
        }
    }

    private void save() {
        if (file == null) return;
        Properties p = new Properties();
        users.values().forEach(u -> {
            if (!u.name().equals("default")) p.setProperty(u.name(), u.passwordSha256() + ":" + (u.readonly() ? "readonly" : "readwrite"));
        });
        try {
            Path tmp = file.resolveSibling(FILE + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "users of trawl's embedded ClickHouse (SHA-256 of each password)");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static String sha256(String password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
