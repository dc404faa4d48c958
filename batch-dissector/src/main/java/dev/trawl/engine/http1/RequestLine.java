package dev.trawl.engine.http1;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A request line read the way a lenient server (or Zeek) reads it: whatever a client sent
 * becomes a method, a target and a version as far as they can be told apart, and each departure
 * from RFC 9112 is named in {@link #defects()} (the names of {@code fields.http_malformed}).
 */
record RequestLine(String method, String target, String version, List<String> defects) {
    /** RFC 9110's methods, WebDAV's, and the others in common use (PATCH, PURGE, UPnP's). */
    static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE",
            "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT", "ACL",
            "MKACTIVITY", "CHECKOUT", "CHECKIN", "UNCHECKOUT", "MERGE", "LABEL", "UPDATE", "VERSION-CONTROL",
            "BASELINE-CONTROL", "MKWORKSPACE", "MKCALENDAR", "ORDERPATCH", "BIND", "REBIND", "UNBIND", "LINK", "UNLINK",
            "MKREDIRECTREF", "UPDATEREDIRECTREF", "PURGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "POLL",
            "BPROPFIND", "BPROPPATCH", "BCOPY", "BDELETE", "BMOVE", "PRI");

    private static final int MAX_METHOD = 32;

    /**
     * Whether a line inside an HTTP connection, where a request is due, is one: a method-like
     * token first (after stray whitespace), then either a known method or a last word that is
     * an HTTP version. A body that ran past its declared length does not pass, so it is
     * skipped rather than read as requests.
     */
    static boolean plausible(byte[] b, int p, int end) {
        for (int i = p; i < end; i++) if (b[i] < 32 && b[i] != '\t' || b[i] == 127) return false;
        while (p < end && blank(b[p])) p++;
        int m = p;
        while (m < end && m - p <= MAX_METHOD && tokenChar(b[m])) m++;
        if (m == p || m - p > MAX_METHOD || m < end && !blank(b[m])) return false;
        String method = new String(b, p, m - p, StandardCharsets.ISO_8859_1);
        if (METHODS.contains(method.toUpperCase(Locale.ROOT))) return true;
        return versionAtEnd(b, m, end);
    }

    /**
     * Whether the first line of a direction (no parser chosen yet) is a request: a method of
     * letters, then a last word that is an HTTP version; or a known method alone or with one
     * target that is a path, a URL or {@code *} (HTTP/0.9, or a request line cut short).
     */
    static boolean detectable(byte[] b, int p, int methodEnd, int end) {
        if (versionAtEnd(b, methodEnd, end)) return true;
        if (!METHODS.contains(new String(b, p, methodEnd - p, StandardCharsets.ISO_8859_1))) return false;
        int t = methodEnd;
        while (t < end && blank(b[t])) t++;
        if (t == end) return true;
        int w = t;
        while (w < end && !blank(b[w])) w++;
        int e = w;
        while (e < end && blank(b[e])) e++;
        if (e != end) return false;
        return b[t] == '/' || b[t] == '*' && w == t + 1 || indexOf(b, t, w, "://") >= 0;
    }

    private static int indexOf(byte[] b, int from, int to, String s) {
        outer:
        for (int i = from; i + s.length() <= to; i++) {
            for (int k = 0; k < s.length(); k++) if (b[i + k] != s.charAt(k)) continue outer;
            return i;
        }
        return -1;
    }

    /** Whether the text after {@code from} ends with a word that starts as an HTTP version. */
    private static boolean versionAtEnd(byte[] b, int from, int end) {
        int e = end;
        while (e > from && blank(b[e - 1])) e--;
        int s = e;
        while (s > from && !blank(b[s - 1])) s--;
        if (s == from || e - s < 5) return false;
        return (b[s] | 0x20) == 'h' && (b[s + 1] | 0x20) == 't' && (b[s + 2] | 0x20) == 't' && (b[s + 3] | 0x20) == 'p'
                && b[s + 4] == '/';
    }

    /** Reads a line that {@link #plausible} accepted ({@code end} excludes the CR LF). */
    static RequestLine parse(byte[] b, int p, int end) {
        List<String> defects = null;
        int s = p;
        while (s < end && blank(b[s])) s++;
        int e = end;
        while (e > s && blank(b[e - 1])) e--;
        boolean stray = s > p || e < end;
        for (int i = s; i < e; i++) {
            if (!blank(b[i])) continue;
            int run = i;
            while (i < e && blank(b[i])) i++;
            stray |= i - run > 1 || b[run] != ' ';
        }
        int m = s;
        while (m < e && !blank(b[m])) m++;
        String method = latin1(b, s, m);
        // the rest: target words, then a version word when the last one looks like one
        int v = e;
        while (v > m && !blank(b[v - 1])) v--;
        String version = "";
        int targetEnd = e;
        if (v > m && versionAtEnd(b, v - 1, e)) {
            version = latin1(b, v, e);
            targetEnd = v;
        }
        int ts = m;
        while (ts < targetEnd && blank(b[ts])) ts++;
        int te = targetEnd;
        while (te > ts && blank(b[te - 1])) te--;
        String target = latin1(b, ts, te);

        String upper = method.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(upper)) defects = add(defects, "unknown_method");
        else if (!upper.equals(method)) defects = add(defects, "lowercase_method");
        if (target.isEmpty()) defects = add(defects, "no_target");
        else if (indexOfBlank(target) >= 0) defects = add(defects, "space_in_target");
        else if (target.equals("*") && !upper.equals("OPTIONS")) defects = add(defects, "asterisk_target");
        else if (!target.startsWith("/") && !target.equals("*") && !target.contains("://") && !upper.equals("CONNECT")) {
            defects = add(defects, "bad_target");
        }
        if (version.isEmpty()) {
            if (upper.equals("GET") && !target.isEmpty()) version = "HTTP/0.9";
            else defects = add(defects, "no_version");
        } else if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            defects = add(defects, "bad_version");
        }
        if (stray) defects = add(defects, "stray_whitespace");
        return new RequestLine(method, target, version, defects == null ? List.of() : defects);
    }

    private static int indexOfBlank(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == ' ' || s.charAt(i) == '\t') return i;
        return -1;
    }

    private static List<String> add(List<String> list, String defect) {
        List<String> l = list == null ? new ArrayList<>(2) : list;
        l.add(defect);
        return l;
    }

    private static String latin1(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }

    static boolean blank(byte c) {
        return c == ' ' || c == '\t';
    }

    /** RFC 9110's tchar. */
    static boolean tokenChar(byte c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c > 32 && c < 127 && "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
