package dev.trawl.engine;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Secrets taken out of entries before anything stores them: values of credential headers, JSON
 * and form fields and URL query parameters whose names say they are secret, URL userinfo, and
 * Redis {@code AUTH} arguments. A redacted value keeps its shape (an Authorization scheme, cookie
 * names) and becomes {@code ****#} and six hex digits of an HMAC-SHA256 under a per-install key,
 * so two calls with the same token can be matched while the token cannot be guessed back: with
 * a bare hash anyone could hash candidate passwords and compare; without the key they cannot.
 *
 * <p>Password messages of PostgreSQL and MySQL and MongoDB's SASL payloads never reach an entry
 * (their decoders keep only the command and the outcome), so there is nothing of them to redact.
 */
public final class Redaction {
    /** Headers whose whole value is a credential. */
    public static final List<String> DEFAULT_HEADERS = List.of("authorization", "proxy-authorization", "cookie",
            "set-cookie", "x-api-key", "api-key", "apikey", "x-auth-token", "x-access-token", "x-csrf-token",
            "x-xsrf-token", "x-amz-security-token", "x-goog-api-key", "private-token", "x-vault-token",
            "proxy-authenticate-info", "authentication-info");
    /** JSON, form and query fields whose value is a credential, compared without case. */
    public static final List<String> DEFAULT_FIELDS = List.of("password", "passwd", "pwd", "pass", "secret",
            "client_secret", "token", "access_token", "refresh_token", "id_token", "auth_token", "session_token",
            "api_key", "apikey", "api-key", "private_key", "credentials", "authorization", "otp");

    private static final Redaction NONE = new Redaction(false, Set.of(), Set.of(), new byte[1]);
    private static final String MASK = "****#";
    private static final Set<String> REDIS_WITH_PASSWORD = Set.of("AUTH", "HELLO", "MIGRATE");

    private final boolean enabled;
    private final Set<String> headers;
    private final Set<String> fields;
    private final SecretKeySpec key;
    private final int longestField;
    /** By lower-case first letter, a bit per length of the field names that start with it. */
    private final long[] firstAndLength = new long[128];

    private Redaction(boolean enabled, Set<String> headers, Set<String> fields, byte[] key) {
        this.enabled = enabled;
        // header names arrive in any case: compared without case, and without a lower-cased copy per header
        TreeSet<String> anyCase = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        anyCase.addAll(headers);
        this.headers = java.util.Collections.unmodifiableSet(anyCase);
        this.fields = fields;
        this.longestField = Math.min(63, fields.stream().mapToInt(String::length).max().orElse(0));
        for (String f : fields) {
            char c = f.isEmpty() ? 0 : f.charAt(0);
            if (c < 128 && f.length() <= longestField) firstAndLength[c] |= 1L << f.length();
        }
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    /** Nothing is redacted (a lab's choice: {@code --no-redact}, {@code TRAWL_REDACT=false}). */
    public static Redaction none() {
        return NONE;
    }

    /** The default lists under a key of this process (values match within one run only). */
    public static Redaction standard() {
        return withKey(random());
    }

    /** The default lists under the given key. */
    public static Redaction withKey(byte[] key) {
        return new Redaction(true, names(DEFAULT_HEADERS, List.of()), names(DEFAULT_FIELDS, List.of()), key.clone());
    }

    /**
     * From settings (environment variables or their Spring equivalents): {@code TRAWL_REDACT}
     * ({@code false} turns it off), {@code TRAWL_REDACT_HEADERS} and {@code TRAWL_REDACT_FIELDS}
     * (comma-separated names added to the defaults), {@code TRAWL_REDACT_KEY} (the key itself),
     * else {@code TRAWL_REDACT_KEY_FILE} or {@code ~/.config/trawl/redact.key}, created with 32
     * random bytes, owner-only, when missing. When no file can be written the key is random for
     * this process: values still match within one run.
     */
    public static Redaction fromSettings(Function<String, String> settings) {
        if ("false".equalsIgnoreCase(trim(settings.apply("TRAWL_REDACT")))) return NONE;
        return new Redaction(true, names(DEFAULT_HEADERS, list(settings.apply("TRAWL_REDACT_HEADERS"))),
                names(DEFAULT_FIELDS, list(settings.apply("TRAWL_REDACT_FIELDS"))), key(settings));
    }

    public boolean enabled() {
        return enabled;
    }

    /** {@code ****#} and the keyed hash prefix of a value. */
    public String mask(String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] h = mac.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return MASK + HexFormat.of().formatHex(h, 0, 3);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Redacts an entry about to be emitted. */
    public void apply(Entry.Builder e) {
        if (!enabled) return;
        redactHeaders(e.requestHeaders());
        redactHeaders(e.responseHeaders());
        String path = e.path();
        String redactedPath = path.indexOf('?') < 0 && path.indexOf('@') < 0 ? path : url(path);
        if (!redactedPath.equals(path)) {
            e.path(redactedPath);
            e.summary(e.summary().replace(path, redactedPath));
        }
        e.requestBody(body(e.requestBody(), e.requestHeaders()));
        e.responseBody(body(e.responseBody(), e.responseHeaders()));
        if (e.protocol().equals("redis") && REDIS_WITH_PASSWORD.contains(e.method().toUpperCase(Locale.ROOT))) redisArguments(e);
    }

    private void redactHeaders(Map<String, String> headers) {
        if (headers.isEmpty()) return;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (this.headers.contains(h.getKey()) && !h.getValue().isEmpty()) {
                h.setValue(headerValue(h.getKey(), h.getValue()));
            }
        }
    }

    /** A credential header's value with its shape kept: the scheme, cookie names, Set-Cookie's attributes. */
    String headerValue(String name, String value) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("cookie")) return pairs(value, "; ", true);
        if (n.equals("set-cookie")) {
            // several Set-Cookie headers are joined with ", " by the entry; each keeps its attributes
            StringBuilder out = new StringBuilder();
            for (String cookie : value.split(", (?=[^;=\\s]+=)")) {
                if (!out.isEmpty()) out.append(", ");
                int semi = cookie.indexOf(';');
                out.append(pairs(semi < 0 ? cookie : cookie.substring(0, semi), "; ", true));
                if (semi >= 0) out.append(cookie.substring(semi));
            }
            return out.toString();
        }
        int sp = value.indexOf(' ');
        if ((n.equals("authorization") || n.equals("proxy-authorization")) && sp > 0) {
            return value.substring(0, sp + 1) + mask(value.substring(sp + 1).trim());
        }
        return mask(value);
    }

    /** {@code a=1; b=2} with every value (all of them, or those named secret) masked. */
    private String pairs(String text, String separator, boolean all) {
        String sep = separator.trim();
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i <= text.length()) {
            int end = text.indexOf(sep, i);
            if (end < 0) end = text.length();
            String pair = text.substring(i, end);
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            if (eq >= 0 && (all || fields.contains(decodedName(name)))) {
                out.append(pair, 0, eq + 1).append(mask(pair.substring(eq + 1)));
            } else {
                out.append(pair);
            }
            if (end == text.length()) break;
            out.append(sep);
            i = end + sep.length();
        }
        return out.toString();
    }

    private static String decodedName(String name) {
        return name.trim().replace("%5F", "_").replace("%5f", "_").toLowerCase(Locale.ROOT);
    }

    /** A URL or request target with its userinfo password and secret query parameters masked. */
    String url(String target) {
        if (target.isEmpty()) return target;
        String out = target;
        int scheme = out.indexOf("://");
        if (scheme > 0) {
            int authorityEnd = indexOfAny(out, "/?#", scheme + 3);
            int at = out.lastIndexOf('@', authorityEnd < 0 ? out.length() - 1 : authorityEnd - 1);
            if (at > scheme) {
                int colon = out.indexOf(':', scheme + 3);
                int from = colon > 0 && colon < at ? colon + 1 : scheme + 3;
                out = out.substring(0, from) + mask(out.substring(from, at)) + out.substring(at);
            }
        }
        int q = out.indexOf('?');
        if (q < 0) return out;
        int hash = out.indexOf('#', q);
        String query = hash < 0 ? out.substring(q + 1) : out.substring(q + 1, hash);
        String redacted = pairs(query, "&", false);
        return redacted.equals(query) ? out : out.substring(0, q + 1) + redacted + (hash < 0 ? "" : out.substring(hash));
    }

    private String body(String body, Map<String, String> headers) {
        if (body.isEmpty()) return body;
        int i = 0;
        while (i < body.length() && Character.isWhitespace(body.charAt(i))) i++;
        if (i < body.length() && (body.charAt(i) == '{' || body.charAt(i) == '[')) return json(body);
        if (body.indexOf('=') > 0 && contentType(headers).contains("x-www-form-urlencoded")) return pairs(body, "&", false);
        return body;
    }

    private static String contentType(Map<String, String> headers) {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase("content-type")) return h.getValue().toLowerCase(Locale.ROOT);
        }
        return "";
    }

    /**
     * JSON text (possibly cut at the body limit) with the value of every member whose name is
     * secret replaced by a masked string; a scan, not a parse, so broken JSON is no obstacle.
     */
    String json(String text) {
        StringBuilder out = null;
        int copied = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c != '"') {
                i++;
                continue;
            }
            int end = stringEnd(text, i);
            if (end < 0) break;
            int colon = end + 1;
            while (colon < n && Character.isWhitespace(text.charAt(colon))) colon++;
            if (colon >= n || text.charAt(colon) != ':' || !candidate(text, i + 1, end)
                    || !fields.contains(text.substring(i + 1, end).toLowerCase(Locale.ROOT))) {
                i = end + 1;
                continue;
            }
            int v = colon + 1;
            while (v < n && Character.isWhitespace(text.charAt(v))) v++;
            int vEnd = valueEnd(text, v);
            String value = text.substring(v, vEnd);
            if (value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2) value = value.substring(1, value.length() - 1);
            if (out == null) out = new StringBuilder(n + 16);
            out.append(text, copied, v).append('"').append(mask(value)).append('"');
            copied = vEnd;
            i = vEnd;
        }
        if (out == null) return text;
        return out.append(text, copied, n).toString();
    }

    /** Whether a name could be in the field list, by its first letter and length: most names are not, and cost no copy. */
    private boolean candidate(String text, int from, int to) {
        int len = to - from;
        if (len <= 0 || len > longestField) return false;
        char c = Character.toLowerCase(text.charAt(from));
        return c >= 128 || (firstAndLength[c] & (1L << len)) != 0;
    }

    /** The index of the quote closing the string that opens at {@code start}, or -1. */
    private static int stringEnd(String s, int start) {
        for (int i = start + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') i++;
            else if (c == '"') return i;
        }
        return -1;
    }

    /** The end of the JSON value at {@code v}: a string, a nested object or array, or a bare word. */
    private static int valueEnd(String s, int v) {
        int n = s.length();
        if (v >= n) return n;
        char c = s.charAt(v);
        if (c == '"') {
            int e = stringEnd(s, v);
            return e < 0 ? n : e + 1;
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            for (int i = v; i < n; i++) {
                char d = s.charAt(i);
                if (d == '"') {
                    int e = stringEnd(s, i);
                    if (e < 0) return n;
                    i = e;
                } else if (d == '{' || d == '[') depth++;
                else if ((d == '}' || d == ']') && --depth == 0) return i + 1;
            }
            return n;
        }
        int i = v;
        while (i < n && ",}] \t\r\n".indexOf(s.charAt(i)) < 0) i++;
        return i;
    }

    /** {@code AUTH [user] password} and {@code HELLO ... AUTH user password}: the password goes. */
    private void redisArguments(Entry.Builder e) {
        String command = e.method().toUpperCase(Locale.ROOT);
        String args = e.fields().get("redis_args");
        if (args == null || args.isEmpty()) return;
        List<String> words = new ArrayList<>(Arrays.asList(args.split(" ", -1)));
        boolean changed = false;
        if (command.equals("AUTH")) {
            int last = words.size() - 1;
            words.set(last, mask(words.get(last)));
            changed = true;
        } else if (command.equals("HELLO") || command.equals("MIGRATE")) {
            for (int i = 0; i + 1 < words.size(); i++) {
                String w = words.get(i).toUpperCase(Locale.ROOT);
                if (w.equals("AUTH") && command.equals("MIGRATE")) {
                    words.set(i + 1, mask(words.get(i + 1)));
                    changed = true;
                } else if (w.equals("AUTH") || w.equals("AUTH2")) {
                    int pw = i + 2 < words.size() ? i + 2 : i + 1;
                    words.set(pw, mask(words.get(pw)));
                    changed = true;
                }
            }
        }
        if (changed) e.field("redis_args", String.join(" ", words));
    }

    private static Set<String> names(List<String> defaults, List<String> added) {
        Set<String> s = new TreeSet<>();
        defaults.forEach(d -> s.add(d.toLowerCase(Locale.ROOT)));
        added.forEach(d -> s.add(d.toLowerCase(Locale.ROOT)));
        return Set.copyOf(s);
    }

    private static List<String> list(String csv) {
        if (csv == null || csv.isBlank()) return List.of();
        return Arrays.stream(csv.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }

    private static int indexOfAny(String s, String chars, int from) {
        for (int i = from; i < s.length(); i++) if (chars.indexOf(s.charAt(i)) >= 0) return i;
        return -1;
    }

    private static byte[] key(Function<String, String> settings) {
        String given = trim(settings.apply("TRAWL_REDACT_KEY"));
        if (!given.isEmpty()) return given.getBytes(StandardCharsets.UTF_8);
        String file = trim(settings.apply("TRAWL_REDACT_KEY_FILE"));
        Path path = !file.isEmpty() ? Path.of(file) : Path.of(System.getProperty("user.home"), ".config", "trawl", "redact.key");
        try {
            if (Files.isRegularFile(path)) {
                byte[] k = Files.readAllBytes(path);
                if (k.length >= 16) return k;
            }
            byte[] k = random();
            if (!Files.isDirectory(path.getParent())) {
                Files.createDirectories(path.getParent(),
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Path tmp = Files.createTempFile(path.getParent(), "redact", ".key",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, k);
            Files.move(tmp, path, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return Files.readAllBytes(path);
        } catch (IOException | UnsupportedOperationException e) {
            return random();
        }
    }

    private static byte[] random() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }
}
