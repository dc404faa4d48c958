package dev.trawl.engine.http1;

import java.nio.ByteBuffer;

/** What the bytes at a position look like: the start of a request, of a response, or neither. */
enum StartLine {
    REQUEST, RESPONSE, INCOMPLETE, NONE;

    private static final int MAX_LINE = 8192;

    static StartLine find(ByteBuffer b, int p, int lim) {
        int n = Math.min(lim - p, MAX_LINE + 1);
        byte[] copy = new byte[Math.max(n, 0)];
        b.get(p, copy, 0, copy.length);
        return find(copy, 0, copy.length);
    }

    static StartLine find(byte[] b, int p, int lim) {
        int n = lim - p;
        if (n <= 0) return INCOMPLETE;
        // "HTTP/1.x NNN"
        byte[] http = {'H', 'T', 'T', 'P', '/', '1', '.'};
        int k = 0;
        while (k < http.length && k < n && b[p + k] == http[k]) k++;
        if (k == http.length) {
            if (n < 12) return INCOMPLETE;
            byte v = b[p + 7];
            if ((v == '0' || v == '1') && b[p + 8] == ' ' && digit(b[p + 9]) && digit(b[p + 10]) && digit(b[p + 11])) {
                return RESPONSE;
            }
            return NONE;
        }
        if (k == n) return INCOMPLETE;
        // METHOD SP target SP HTTP/1.x CRLF, read leniently (lowercase, unknown methods, odd versions)
        int i = p;
        while (i < lim && i - p < 20 && letter(b[i])) i++;
        int methodLen = i - p;
        if (i == lim) return methodLen == n && n < 20 ? INCOMPLETE : NONE;
        if (methodLen < 3 || !RequestLine.blank(b[i]) && b[i] != '\r' && b[i] != '\n') return NONE;
        int eol = -1;
        for (int j = i; j < lim && j - p < MAX_LINE; j++) {
            byte c = b[j];
            if (c == '\n') {
                eol = j;
                break;
            }
            if (c < 32 && c != '\r' && c != '\t') return NONE;
        }
        if (eol < 0) return lim - p >= MAX_LINE ? NONE : INCOMPLETE;
        int end = eol;
        if (end > i && b[end - 1] == '\r') end--;
        return RequestLine.detectable(b, p, i, end) ? REQUEST : NONE;
    }

    private static boolean letter(byte c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_';
    }

    private static boolean digit(byte c) {
        return c >= '0' && c <= '9';
    }
}
