package dev.trawl.engine.http1;

import dev.trawl.engine.Bytes;
import dev.trawl.engine.Direction;
import dev.trawl.engine.Entry;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.TcpParser;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * One HTTP/1.x connection: a reader per direction (start line, headers, then a body that is
 * fixed-length, chunked, or runs to the end of the connection), requests queued in order and
 * paired with responses in order (keep-alive and pipelining), interim 1xx responses skipped,
 * and a 101 to {@code Upgrade: websocket} handing the connection to the websocket parser.
 */
final class Http1Parser implements TcpParser {
    private static final int MAX_HEAD = 64 * 1024;
    private static final int MAX_WAITING = 128;

    private final TcpContext ctx;
    private final Reader requests = new Reader(true);
    private final Reader responses = new Reader(false);
    private final ArrayDeque<Message> waiting = new ArrayDeque<>();
    private boolean tunnel;

    Http1Parser(TcpContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public int onData(Direction direction, ByteBuffer data, long timestampNanos) {
        if (tunnel) return data.remaining();
        return (direction == Direction.CLIENT_TO_SERVER ? requests : responses).read(data, timestampNanos);
    }

    @Override
    public void onGap(Direction direction, long length, long timestampNanos) {
        (direction == Direction.CLIENT_TO_SERVER ? requests : responses).gap();
    }

    @Override
    public void onClose(long timestampNanos) {
        requests.end();
        responses.end();
        while (!waiting.isEmpty()) emit(waiting.poll(), null);
    }

    /** One request or response as it is read. */
    static final class Message {
        String method = "";
        String target = "";
        String version = "";
        int status;
        String reason = "";
        final List<String[]> headers = new ArrayList<>();
        long ts;
        String source = "";
        long size;
        byte[] body;
        int bodyLen;
        long bodyTotal;
        boolean bodyCut;
        String contentEncoding = "";
        boolean damaged;
        /** RFC 9112 departures ({@code http_malformed}) and request smuggling shapes ({@code http_smuggling}). */
        List<String> malformed;
        List<String> smuggling;

        void malformed(String defect) {
            if (malformed == null) malformed = new ArrayList<>(2);
            if (!malformed.contains(defect)) malformed.add(defect);
        }

        void smuggling(String shape) {
            if (smuggling == null) smuggling = new ArrayList<>(2);
            if (!smuggling.contains(shape)) smuggling.add(shape);
        }

        String header(String name) {
            for (String[] h : headers) if (h[0].equalsIgnoreCase(name)) return h[1];
            return null;
        }

        boolean headerHasToken(String name, String token) {
            for (String[] h : headers) {
                if (!h[0].equalsIgnoreCase(name)) continue;
                for (String t : h[1].split(",")) if (t.trim().equalsIgnoreCase(token)) return true;
            }
            return false;
        }
    }

    private enum State { START, BODY_FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, BODY_TO_CLOSE }

    private final class Reader {
        private final boolean isRequest;
        private State state = State.START;
        private Message current;
        private long remaining;
        private long absolute;      // bytes consumed in this direction before the current call
        private long messageStart;  // absolute offset of the current message
        private long pendingTs = -1;
        private boolean resyncing;

        Reader(boolean isRequest) {
            this.isRequest = isRequest;
        }

        int read(ByteBuffer d, long ts) {
            final int start = d.position();
            final int lim = d.limit();
            int p = start;
            if (pendingTs < 0) pendingTs = ts;
            while (p < lim) {
                switch (state) {
                    case START -> {
                        byte[] a = scratch();
                        // most heads fit in a few KB: copy that much first, all of it only when needed
                        int n = Math.min(lim - p, 4096);
                        d.get(p, a, 0, n);
                        if (isRequest && (a[0] == '\r' || a[0] == '\n')) {
                            p++; // RFC 9112 2.2: empty lines before a request are ignored
                            continue;
                        }
                        StartLine sl = startLine(a, n);
                        if ((sl == StartLine.INCOMPLETE || headEnd(a, 0, n) < 0) && n < Math.min(lim - p, a.length)) {
                            n = Math.min(lim - p, a.length);
                            d.get(p, a, 0, n);
                            sl = startLine(a, n);
                        }
                        if (sl == StartLine.INCOMPLETE) return done(p, start);
                        if (!isRequest && sl != StartLine.RESPONSE && http09Answer()) {
                            startHttp09Response(p, start, ts);
                            continue;
                        }
                        if (sl != (isRequest ? StartLine.REQUEST : StartLine.RESPONSE)) {
                            if (!resyncing) {
                                resyncing = true;
                                ctx.count("resync");
                            }
                            p += skipToNextStart(a, n);
                            pendingTs = -1;
                            continue;
                        }
                        int headEnd = headEnd(a, 0, n);
                        if (headEnd < 0 && isRequest && n == lim - p) headEnd = http09End(a, n);
                        if (headEnd < 0) {
                            if (n > MAX_HEAD) {
                                ctx.count("malformed");
                                p += indexOf(a, 0, n, (byte) '\n') + 1;
                                continue;
                            }
                            return done(p, start);
                        }
                        resyncing = false;
                        messageStart = absolute + (p - start);
                        current = parseHead(a, 0, headEnd);
                        current.ts = pendingTs >= 0 ? pendingTs : ts;
                        current.source = ctx.source();
                        p += headEnd;
                        beginBody(p, start);
                    }
                    case BODY_FIXED, CHUNK_DATA -> {
                        int n = (int) Math.min(remaining, lim - p);
                        keep(d, p, n);
                        p += n;
                        remaining -= n;
                        if (remaining == 0) {
                            if (state == State.BODY_FIXED) complete(p, start);
                            else state = State.CHUNK_END;
                        }
                    }
                    case CHUNK_SIZE -> {
                        int nl = Bytes.indexOf(d, p, Math.min(lim, p + 1024), (byte) '\n');
                        if (nl < 0) {
                            if (lim - p >= 1024) { broken(p, start); continue; }
                            return done(p, start);
                        }
                        long size = parseHex(d, p, nl);
                        if (size < 0) {
                            if (size == CHUNK_SIZE_OVERFLOW) current.smuggling("chunk_size_overflow");
                            else current.malformed("bad_chunk_size");
                            broken(p, start);
                            continue;
                        }
                        p = nl + 1;
                        if (size == 0) state = State.TRAILERS;
                        else {
                            remaining = size;
                            state = State.CHUNK_DATA;
                        }
                    }
                    case CHUNK_END -> {
                        int nl = Bytes.indexOf(d, p, Math.min(lim, p + 2), (byte) '\n');
                        if (nl < 0) {
                            if (lim - p >= 2) { broken(p, start); continue; }
                            return done(p, start);
                        }
                        p = nl + 1;
                        state = State.CHUNK_SIZE;
                    }
                    case TRAILERS -> {
                        int nl = Bytes.indexOf(d, p, lim, (byte) '\n');
                        if (nl < 0) {
                            if (lim - p > MAX_HEAD) { broken(p, start); continue; }
                            return done(p, start);
                        }
                        boolean empty = nl == p || nl == p + 1 && d.get(p) == '\r';
                        p = nl + 1;
                        if (empty) complete(p, start);
                    }
                    case BODY_TO_CLOSE -> {
                        keep(d, p, lim - p);
                        p = lim;
                    }
                }
                if (tunnel) return lim - start;
                if (handedOff) return p - start;
            }
            return done(p, start);
        }

        private StartLine startLine(byte[] a, int n) {
            return isRequest ? requestStart(a, 0, n) : StartLine.find(a, 0, n);
        }

        /** A response due to an HTTP/0.9 request: no status line, the body runs to the close. */
        private boolean http09Answer() {
            Message req = waiting.peek();
            return req != null && req.version.equals("HTTP/0.9");
        }

        private void startHttp09Response(int p, int start, long ts) {
            resyncing = false;
            messageStart = absolute + (p - start);
            current = new Message();
            current.version = "HTTP/0.9";
            current.ts = pendingTs >= 0 ? pendingTs : ts;
            current.source = ctx.source();
            state = State.BODY_TO_CLOSE;
        }

        /** Bytes to skip to the next line that could start a message of this direction (all but a trailing partial line when none). */
        private int skipToNextStart(byte[] a, int n) {
            StartLine want = isRequest ? StartLine.REQUEST : StartLine.RESPONSE;
            int i = indexOf(a, 0, n, (byte) '\n');
            while (i >= 0 && i + 1 < n) {
                StartLine sl = isRequest ? requestStart(a, i + 1, n) : StartLine.find(a, i + 1, n);
                if (sl == want || sl == StartLine.INCOMPLETE) return i + 1;
                i = indexOf(a, i + 1, n, (byte) '\n');
            }
            return i < 0 ? n : i + 1;
        }

        private int done(int p, int start) {
            absolute += p - start;
            return p - start;
        }

        private void beginBody(int p, int start) {
            Message m = current;
            String te = m.header("Transfer-Encoding");
            String cl = m.header("Content-Length");
            String ce = m.header("Content-Encoding");
            if (ce != null) m.contentEncoding = ce.trim().toLowerCase(Locale.ROOT);
            if (isRequest) {
                if (m.version.equals("HTTP/0.9")) {
                    complete(p, start);
                    return;
                }
                beginRequestBody(m, te, cl, p, start);
                return;
            }
            Message req = waiting.peek();
            boolean noBody = m.status / 100 == 1 || m.status == 204 || m.status == 304
                    || req != null && req.method.equals("HEAD");
            if (req != null && req.method.equals("CONNECT") && m.status / 100 == 2) {
                complete(p, start);
                tunnel = true;
                return;
            }
            if (noBody) {
                complete(p, start);
                return;
            }
            if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                state = State.CHUNK_SIZE;
            } else if (cl != null) {
                long n = parseLength(cl);
                if (n < 0) {
                    ctx.count("malformed");
                    m.damaged = true;
                    n = 0;
                }
                if (n == 0) complete(p, start);
                else {
                    remaining = n;
                    state = State.BODY_FIXED;
                }
            } else {
                state = State.BODY_TO_CLOSE;
            }
        }

        /**
         * A request's framing as RFC 9112 6.3 has a server read it: a final {@code chunked}
         * Transfer-Encoding wins over Content-Length, the first of conflicting lengths is taken;
         * each ambiguity a front end and a back end could read differently is named.
         */
        private void beginRequestBody(Message m, String te, String cl, int p, int start) {
            boolean chunked = false;
            if (te != null) {
                if (cl != null) m.smuggling("content_length_and_transfer_encoding");
                String[] codings = te.split(",");
                chunked = codings[codings.length - 1].trim().equalsIgnoreCase("chunked");
                if (!chunked) m.smuggling("bad_transfer_encoding");
                if (m.version.equals("HTTP/1.0")) m.smuggling("transfer_encoding_in_http10");
            }
            if (chunked) {
                state = State.CHUNK_SIZE;
                return;
            }
            long n = cl == null ? 0 : requestLength(m);
            if (n == 0) complete(p, start);
            else {
                remaining = n;
                state = State.BODY_FIXED;
            }
        }

        /** The first valid Content-Length of a request; conflicting and unreadable ones are named. */
        private long requestLength(Message m) {
            long first = -1;
            for (String[] h : m.headers) {
                if (!h[0].equalsIgnoreCase("Content-Length")) continue;
                for (String v : h[1].split(",", -1)) {
                    long n = parseLength(v);
                    if (n < 0) {
                        m.malformed("bad_content_length");
                        m.damaged = true;
                        ctx.count("malformed");
                    } else if (first < 0) first = n;
                    else if (n != first) m.smuggling("conflicting_content_length");
                }
            }
            return Math.max(first, 0);
        }

        private void keep(ByteBuffer d, int p, int n) {
            Message m = current;
            m.bodyTotal += n;
            int limit = keepLimit(m);
            int room = limit - m.bodyLen;
            if (room <= 0) {
                if (n > 0) m.bodyCut = true;
                return;
            }
            int take = Math.min(room, n);
            if (take < n) m.bodyCut = true;
            if (m.body == null) m.body = new byte[Math.min(limit, Math.max(take, 1024))];
            if (m.body.length < m.bodyLen + take) m.body = Arrays.copyOf(m.body, Math.min(limit, Math.max(m.bodyLen + take, m.body.length * 2)));
            d.get(p, m.body, m.bodyLen, take);
            m.bodyLen += take;
        }

        private int keepLimit(Message m) {
            int limit = ctx.bodyLimit();
            // an encoded body is kept larger, so that its decoded form can fill the limit
            return m.contentEncoding.isEmpty() || m.contentEncoding.equals("identity") ? limit : (int) Math.min(1L << 20, Math.max(limit, 8L * limit));
        }

        /** Framing is broken inside a body: finish the message as damaged and look for the next start. */
        private void broken(int p, int start) {
            ctx.count("malformed");
            current.damaged = true;
            complete(p, start);
            resyncing = true;
        }

        private void complete(int p, int start) {
            Message m = current;
            m.size = absolute + (p - start) - messageStart;
            current = null;
            state = State.START;
            remaining = 0;
            pendingTs = -1;
            if (isRequest) requestDone(m);
            else responseDone(m);
        }

        void gap() {
            if (current != null) {
                current.damaged = true;
                if (isRequest) ctx.count("requests_incomplete");
                current.bodyCut = true;
                Message m = current;
                m.size = absolute - messageStart;
                current = null;
                if (isRequest) requestDone(m);
                else responseDone(m);
            }
            state = State.START;
            pendingTs = -1;
            resyncing = true;
        }

        void end() {
            if (current == null) return;
            if (state != State.BODY_TO_CLOSE) {
                current.damaged = true;
                current.bodyCut = true;
                if (isRequest) {
                    ctx.count("requests_incomplete");
                    current.malformed(state == State.BODY_FIXED ? "body_shorter_than_length" : "chunked_body_unterminated");
                }
            }
            Message m = current;
            m.size = absolute - messageStart;
            current = null;
            state = State.START;
            if (isRequest) requestDone(m);
            else responseDone(m);
        }
    }

    private boolean handedOff;

    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[MAX_HEAD + 8]);

    /** A per-thread copy area: heads are parsed from an array, not byte by byte through a buffer. */
    private static byte[] scratch() {
        return SCRATCH.get();
    }

    private void requestDone(Message m) {
        ctx.count("requests");
        if (isNotification(m.method)) ctx.count("notifications");
        if (waiting.size() >= MAX_WAITING) emit(waiting.poll(), null);
        waiting.add(m);
    }

    /** UPnP GENA's event methods: requests in HTTP's grammar that tools like Wireshark class as notifications. */
    static boolean isNotification(String method) {
        return method.equals("NOTIFY") || method.equals("SUBSCRIBE") || method.equals("UNSUBSCRIBE");
    }

    private void responseDone(Message m) {
        if (m.status / 100 == 1 && m.status != 101) {
            ctx.count("interim_responses");
            return;
        }
        Message req = waiting.poll();
        emit(req, m);
        if (m.status == 101 && req != null && req.header("Upgrade") != null) {
            String proto = req.header("Upgrade").trim().toLowerCase(Locale.ROOT);
            String target = proto.startsWith("websocket") ? "websocket" : proto.startsWith("h2c") ? "http2" : proto;
            if (ctx.handOff(target, upgradeRequest(req))) {
                handedOff = true;
            } else {
                tunnel = true; // a protocol no parser is registered for: the rest is not HTTP
            }
        }
    }

    /** The request that asked for the upgrade, for the next protocol's entries. */
    private static java.util.Map<String, String> upgradeRequest(Message req) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        for (String[] h : req.headers) {
            m.putIfAbsent(h[0].toLowerCase(Locale.ROOT), h[1]);
        }
        m.put(":method", req.method);
        m.put(":path", req.target);
        String host = req.header("Host");
        m.put(":authority", host == null ? "" : host.trim());
        return m;
    }

    private void emit(Message req, Message resp) {
        Entry.Builder e = ctx.newEntry();
        Message first = req != null ? req : resp;
        e.timestampNanos(first.ts).source(first.source);
        if (req != null) {
            e.method(req.method).path(req.target).requestSize(req.size);
            String host = req.header("Host");
            if (host != null) e.host(host.trim());
            for (String[] h : req.headers) e.requestHeader(h[0], h[1]);
            e.requestBody(body(req));
            e.field("http_version", req.version);
            if (req.bodyCut) e.field("request_body_truncated", "true");
            if (req.malformed != null) {
                e.field("http_malformed", String.join(",", req.malformed));
                ctx.count("malformed_requests");
            }
            if (req.smuggling != null) {
                e.field("http_smuggling", String.join(",", req.smuggling));
                ctx.count("smuggling_requests");
            }
        } else {
            e.field("request_missing", "true");
        }
        if (resp != null) {
            e.answered(true).status(resp.status).statusText(resp.reason).responseSize(resp.size);
            if (req != null) e.latencyMicros((resp.ts - req.ts) / 1000);
            for (String[] h : resp.headers) e.responseHeader(h[0], h[1]);
            e.responseBody(body(resp));
            if (req == null) e.field("http_version", resp.version);
            if (resp.bodyCut) e.field("response_body_truncated", "true");
        }
        if (req != null && req.damaged || resp != null && resp.damaged) e.field("damaged", "true");
        String what = req != null ? req.method + " " + req.target : "(request not captured)";
        e.summary(resp != null ? what + " -> " + resp.status + (resp.reason.isEmpty() ? "" : " " + resp.reason) : what + " (no response)");
        ctx.emit(e);
    }

    private String body(Message m) {
        if (m.bodyLen == 0) return "";
        byte[] data = m.body;
        int len = m.bodyLen;
        if (!m.contentEncoding.isEmpty() && !m.contentEncoding.equals("identity")) {
            // one byte beyond the limit tells whether the decoded body was cut
            byte[] decoded = decode(m.contentEncoding, data, len, ctx.bodyLimit() + 1);
            if (decoded != null) {
                data = decoded;
                len = decoded.length;
                if (len > ctx.bodyLimit()) m.bodyCut = true;
            } else if (m.status == 0 && (m.contentEncoding.contains("gzip") || m.contentEncoding.contains("deflate"))) {
                m.malformed("bad_content_encoding"); // the body is not what Content-Encoding says
            }
        }
        return Bytes.text(data, Math.min(len, ctx.bodyLimit()));
    }

    /** gzip or deflate (zlib, or raw as some servers send), stopping at {@code limit} decoded bytes. */
    static byte[] decode(String encoding, byte[] data, int len, int limit) {
        try {
            if (encoding.contains("gzip")) return readUpTo(new GZIPInputStream(new ByteArrayInputStream(data, 0, len)), limit);
            if (encoding.contains("deflate")) {
                boolean zlib = len >= 2 && (data[0] & 0x0F) == 8 && ((data[0] & 0xFF) << 8 | data[1] & 0xFF) % 31 == 0;
                return readUpTo(new InflaterInputStream(new ByteArrayInputStream(data, 0, len), new Inflater(!zlib)), limit);
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    private static byte[] readUpTo(InputStream in, int limit) {
        byte[] out = new byte[Math.min(limit, 8192)];
        int n = 0;
        try (in) {
            while (n < limit) {
                if (n == out.length) out = Arrays.copyOf(out, Math.min(limit, out.length * 2));
                int r = in.read(out, n, out.length - n);
                if (r < 0) break;
                n += r;
            }
        } catch (IOException e) {
            // a body cut at the keep limit ends the stream early: keep what was decoded
        }
        return Arrays.copyOf(out, n);
    }

    // ------------------------------------------------------------------ heads

    private static final int MAX_LINE = 8192;

    /** Whether the line at {@code from} is a request line, read as leniently as a server would. */
    private static StartLine requestStart(byte[] a, int from, int n) {
        int nl = indexOf(a, from, Math.min(n, from + MAX_LINE), (byte) '\n');
        if (nl < 0) return n - from >= MAX_LINE ? StartLine.NONE : StartLine.INCOMPLETE;
        int end = nl > from && a[nl - 1] == '\r' ? nl - 1 : nl;
        return RequestLine.plausible(a, from, end) ? StartLine.REQUEST : StartLine.NONE;
    }

    /** The end of an HTTP/0.9 request (the request line alone, nothing after it), or -1. */
    private static int http09End(byte[] a, int n) {
        int nl = indexOf(a, 0, n, (byte) '\n');
        if (nl < 0 || nl + 1 != n) return -1;
        int end = nl > 0 && a[nl - 1] == '\r' ? nl - 1 : nl;
        return RequestLine.parse(a, 0, end).version().equals("HTTP/0.9") ? n : -1;
    }

    static int headEnd(byte[] d, int p, int lim) {
        int to = Math.min(lim, p + MAX_HEAD + 4);
        for (int i = p; i < to; i++) {
            if (d[i] != '\n') continue;
            if (i + 1 < lim && d[i + 1] == '\n') return i + 2;
            if (i + 2 < lim && d[i + 1] == '\r' && d[i + 2] == '\n') return i + 3;
        }
        return -1;
    }

    private static int indexOf(byte[] d, int from, int to, byte b) {
        for (int i = from; i < to; i++) if (d[i] == b) return i;
        return -1;
    }

    private static String latin1(byte[] d, int from, int to) {
        while (from < to && (d[from] == ' ' || d[from] == '\t')) from++;
        while (to > from && (d[to - 1] == ' ' || d[to - 1] == '\t')) to--;
        return new String(d, from, to - from, StandardCharsets.ISO_8859_1);
    }

    static Message parseHead(byte[] d, int p, int end) {
        Message m = new Message();
        int nl = indexOf(d, p, end, (byte) '\n');
        if (nl < 0) nl = end;
        int lineEnd = nl > p && d[nl - 1] == '\r' ? nl - 1 : nl;
        if (lineEnd - p >= 12 && d[p] == 'H' && d[p + 1] == 'T' && d[p + 2] == 'T' && d[p + 3] == 'P' && d[p + 4] == '/') {
            int sp1 = indexOf(d, p, lineEnd, (byte) ' ');
            m.version = latin1(d, p, sp1);
            m.status = (d[sp1 + 1] - '0') * 100 + (d[sp1 + 2] - '0') * 10 + (d[sp1 + 3] - '0');
            m.reason = sp1 + 5 <= lineEnd ? latin1(d, sp1 + 5, lineEnd) : "";
        } else {
            RequestLine line = RequestLine.parse(d, p, lineEnd);
            m.method = line.method();
            m.target = line.target();
            m.version = line.version();
            line.defects().forEach(m::malformed);
        }
        boolean request = m.status == 0;
        int i = nl + 1;
        while (i < end) {
            int e = indexOf(d, i, end, (byte) '\n');
            if (e < 0) e = end;
            int le = e > i && d[e - 1] == '\r' ? e - 1 : e;
            if (le == i) break;
            byte c = d[i];
            if ((c == ' ' || c == '\t') && !m.headers.isEmpty()) {
                String[] last = m.headers.getLast(); // obsolete line folding
                last[1] = last[1] + " " + latin1(d, i, le);
                if (request) m.smuggling("obs_fold");
            } else {
                int colon = indexOf(d, i, le, (byte) ':');
                if (colon > i) {
                    if (request && RequestLine.blank(d[colon - 1])) m.smuggling("space_before_colon");
                    m.headers.add(new String[] {latin1(d, i, colon), latin1(d, colon + 1, le)});
                } else if (request) {
                    m.malformed("bad_header_line");
                }
            }
            i = e + 1;
        }
        if (request && m.version.equals("HTTP/0.9") && !m.headers.isEmpty()) {
            m.version = ""; // a request with headers is not HTTP/0.9: its version is missing
            m.malformed("no_version");
        }
        return m;
    }

    private static long parseLength(String s) {
        String v = s.trim();
        int comma = v.indexOf(',');
        if (comma > 0) v = v.substring(0, comma).trim(); // repeated identical values
        if (v.isEmpty() || v.length() > 18) return -1;
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static final long CHUNK_SIZE_OVERFLOW = -2;

    /** A chunk size; -1 when it is not hex, {@link #CHUNK_SIZE_OVERFLOW} past 15 significant digits. */
    private static long parseHex(ByteBuffer d, int p, int nl) {
        long n = 0;
        int digits = 0;
        boolean any = false;
        for (int i = p; i < nl; i++) {
            int c = d.get(i);
            int v;
            if (c >= '0' && c <= '9') v = c - '0';
            else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
            else if (c == ';' || c == '\r' || c == ' ' || c == '\t') break;
            else return -1;
            any = true;
            if ((n > 0 || v > 0) && ++digits > 15) return CHUNK_SIZE_OVERFLOW;
            n = n * 16 + v;
        }
        return any ? n : -1;
    }
}
