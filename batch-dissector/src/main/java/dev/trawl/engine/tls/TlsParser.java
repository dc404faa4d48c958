package dev.trawl.engine.tls;

import dev.trawl.engine.Direction;
import dev.trawl.engine.Entry;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.TcpParser;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads TLS records per direction and the handshake messages inside them (which may be split
 * over several records, or share one). A ClientHello opens a transaction; the ServerHello
 * answers it. Once either side changes cipher spec the rest is opaque and skipped cheaply, except
 * in TLS 1.3: there ChangeCipherSpec is a compatibility no-op (RFC 8446 D.4) and encrypted
 * records are application_data, so handshake records stay readable. That is what lets a
 * HelloRetryRequest's second ClientHello and the real ServerHello, both sent after a
 * ChangeCipherSpec, complete the one entry of the handshake.
 */
final class TlsParser implements TcpParser {
    private static final int MAX_HANDSHAKE = 64 * 1024;
    /** The random of a ServerHello that is a HelloRetryRequest (RFC 8446 4.1.3). */
    private static final byte[] HELLO_RETRY_RANDOM = java.util.HexFormat.of()
            .parseHex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

    private final TcpContext ctx;
    private final Side client = new Side();
    private final Side server = new Side();
    private Hello pending;
    /** A ServerHello or HelloRetryRequest chose TLS 1.3. */
    private boolean tls13;

    TlsParser(TcpContext ctx) {
        this.ctx = ctx;
    }

    private static final class Side {
        byte[] hs = new byte[0];
        int hsLen;
        boolean encrypted;
        boolean lost;
        long ts = -1;
        /** Bytes of an opaque record still to pass over. */
        int skip;
    }

    static final class Hello {
        long ts;
        int size;
        String sni = "";
        List<String> alpn = new ArrayList<>();
        String clientVersion = "";
        List<String> supportedVersions = new ArrayList<>();
        int cipherCount;
        String source = "";
        /** The server answered with a HelloRetryRequest; the ClientHello after it continues this one. */
        boolean retried;
    }

    @Override
    public int onData(Direction dir, ByteBuffer d, long ts) {
        Side s = dir == Direction.CLIENT_TO_SERVER ? client : server;
        int start = d.position();
        int p = start;
        int lim = d.limit();
        if (s.skip > 0) {
            int n = Math.min(s.skip, lim - p);
            p += n;
            s.skip -= n;
        }
        while (lim - p >= 5) {
            int type = d.get(p) & 0xFF;
            int len = d.getShort(p + 3) & 0xFFFF;
            if (type < 20 || type > 24 || d.get(p + 1) != 3 || len > 18432 + 2048) {
                // not a record boundary: lost framing; the rest of this direction is skipped
                s.lost = true;
                return lim - start;
            }
            if (s.encrypted || s.lost || type != 22) {
                // skip without holding: consume what is here of this record
                if (type == 20 && !tls13) s.encrypted = true;
                int have = Math.min(lim - p, 5 + len);
                if (have < 5 + len) {
                    s.skip = 5 + len - have;
                    return lim - start;
                }
                p += 5 + len;
                continue;
            }
            if (lim - p < 5 + len) break; // wait for the whole handshake record
            if (s.ts < 0) s.ts = ts;
            append(s, d, p + 5, len);
            p += 5 + len;
            handshakes(dir, s, ts);
        }
        return p - start;
    }

    private void append(Side s, ByteBuffer d, int from, int len) {
        if (s.hsLen + len > MAX_HANDSHAKE) {
            s.hsLen = 0;
            ctx.count("malformed");
            return;
        }
        if (s.hs.length < s.hsLen + len) s.hs = Arrays.copyOf(s.hs, Math.max(s.hsLen + len, 512));
        d.get(from, s.hs, s.hsLen, len);
        s.hsLen += len;
    }

    private void handshakes(Direction dir, Side s, long ts) {
        int p = 0;
        while (s.hsLen - p >= 4) {
            int type = s.hs[p] & 0xFF;
            int len = (s.hs[p + 1] & 0xFF) << 16 | (s.hs[p + 2] & 0xFF) << 8 | (s.hs[p + 3] & 0xFF);
            if (s.hsLen - p < 4 + len) break;
            ByteBuffer body = ByteBuffer.wrap(s.hs, p + 4, len);
            if (type == 1 && dir == Direction.CLIENT_TO_SERVER) clientHello(body, s.ts >= 0 ? s.ts : ts, len + 4);
            else if (type == 2 && dir == Direction.SERVER_TO_CLIENT) serverHello(body, ts, len + 4);
            p += 4 + len;
            s.ts = -1;
        }
        System.arraycopy(s.hs, p, s.hs, 0, s.hsLen - p);
        s.hsLen -= p;
        if (s.hsLen > 0 && s.ts < 0) s.ts = ts;
    }

    private void clientHello(ByteBuffer b, long ts, int size) {
        Hello h = new Hello();
        h.ts = ts;
        h.size = size;
        h.source = ctx.source();
        if (pending != null && pending.retried) { // the same handshake, asked again: one entry from its first hello
            h.ts = pending.ts;
            h.size += pending.size;
            h.source = pending.source;
            h.retried = true;
        } else if (pending != null) {
            emit(pending, null, 0);
        }
        ctx.count("client_hellos");
        try {
            int p = b.position();
            int end = b.limit();
            h.clientVersion = version(b.getShort(p) & 0xFFFF);
            p += 2 + 32;
            p += 1 + (b.get(p) & 0xFF);
            int cs = b.getShort(p) & 0xFFFF;
            h.cipherCount = cs / 2;
            p += 2 + cs;
            p += 1 + (b.get(p) & 0xFF);
            extensions(b, p, end, (type, v, len) -> {
                switch (type) {
                    case 0 -> h.sni = serverName(b, v, len);
                    case 16 -> alpn(b, v, len, h.alpn);
                    case 43 -> {
                        int n = b.get(v) & 0xFF;
                        for (int i = v + 1; i + 1 < v + 1 + n && i + 1 < v + len; i += 2) {
                            int ver = b.getShort(i) & 0xFFFF;
                            if ((ver & 0x0F0F) != 0x0A0A) h.supportedVersions.add(version(ver)); // skip GREASE
                        }
                    }
                    default -> { }
                }
            });
        } catch (IndexOutOfBoundsException e) {
            ctx.count("malformed");
        }
        if (!h.sni.isEmpty()) ctx.count("client_hellos_with_sni");
        pending = h;
    }

    private void serverHello(ByteBuffer b, long ts, int size) {
        String[] server = {"", "", ""}; // version, cipher, ALPN: what emit takes
        boolean helloRetry = false;
        try {
            int p = b.position();
            int end = b.limit();
            server[0] = version(b.getShort(p) & 0xFFFF);
            helloRetry = Arrays.equals(b.array(), b.arrayOffset() + p + 2, b.arrayOffset() + p + 34,
                    HELLO_RETRY_RANDOM, 0, HELLO_RETRY_RANDOM.length);
            p += 2 + 32;
            p += 1 + (b.get(p) & 0xFF);
            server[1] = String.format("0x%04X", b.getShort(p) & 0xFFFF);
            p += 3;
            extensions(b, p, end, (type, v, len) -> {
                if (type == 43 && len == 2) {
                    server[0] = version(b.getShort(v) & 0xFFFF);
                    tls13 |= (b.getShort(v) & 0xFFFF) == 0x0304;
                }
                if (type == 16) {
                    List<String> l = new ArrayList<>();
                    alpn(b, v, len, l);
                    if (!l.isEmpty()) server[2] = l.getFirst();
                }
            });
        } catch (IndexOutOfBoundsException e) {
            ctx.count("malformed");
        }
        if (helloRetry) {
            ctx.count("hello_retry_requests");
            if (pending != null) pending.retried = true;
            return; // the real ServerHello follows the client's second ClientHello
        }
        if (pending == null) return; // the ClientHello was not captured
        Hello h = pending;
        pending = null;
        emit(h, server, ts, size);
    }

    private interface Extension {
        void at(int type, int valueStart, int length);
    }

    /** Each extension of a hello whose extensions block starts at {@code p}; a truncated one ends the walk. */
    private static void extensions(ByteBuffer b, int p, int end, Extension each) {
        if (p + 2 > end) return;
        int extEnd = Math.min(end, p + 2 + (b.getShort(p) & 0xFFFF));
        p += 2;
        while (p + 4 <= extEnd) {
            int type = b.getShort(p) & 0xFFFF;
            int len = b.getShort(p + 2) & 0xFFFF;
            int v = p + 4;
            if (v + len > extEnd) return;
            each.at(type, v, len);
            p = v + len;
        }
    }

    private void emit(Hello h, String[] server, long ts) {
        emit(h, server, ts, 0);
    }

    private void emit(Hello h, String[] server, long ts, int size) {
        Entry.Builder e = ctx.newEntry().timestampNanos(h.ts).source(h.source).method("ClientHello").path(h.sni).host(h.sni)
                .requestSize(h.size).field("tls_sni", h.sni).field("tls_client_version", h.clientVersion)
                .field("tls_cipher_suites_offered", h.cipherCount);
        if (!h.alpn.isEmpty()) e.field("tls_alpn", String.join(",", h.alpn));
        if (!h.supportedVersions.isEmpty()) e.field("tls_supported_versions", String.join(",", h.supportedVersions));
        if (h.retried) e.field("tls_hello_retry", "true");
        String summary = "TLS ClientHello" + (h.sni.isEmpty() ? "" : " " + h.sni) + (h.alpn.isEmpty() ? "" : " (" + String.join(",", h.alpn) + ")");
        if (server != null) {
            e.answered(true).latencyMicros((ts - h.ts) / 1000).responseSize(size).statusText(server[0])
                    .field("tls_version", server[0]).field("tls_cipher", server[1]);
            if (!server[2].isEmpty()) e.field("tls_alpn_selected", server[2]);
            summary += " -> " + server[0];
        }
        ctx.emit(e.summary(summary));
    }

    private static String serverName(ByteBuffer b, int v, int len) {
        // server_name_list: u16 length, then entries of type (1), u16 length, name
        int p = v + 2;
        int end = v + len;
        while (p + 3 <= end) {
            int type = b.get(p) & 0xFF;
            int n = b.getShort(p + 1) & 0xFFFF;
            if (p + 3 + n > end) break;
            if (type == 0) {
                StringBuilder sb = new StringBuilder(n);
                for (int i = 0; i < n; i++) sb.append((char) (b.get(p + 3 + i) & 0xFF));
                return sb.toString();
            }
            p += 3 + n;
        }
        return "";
    }

    private static void alpn(ByteBuffer b, int v, int len, List<String> out) {
        int p = v + 2;
        int end = v + len;
        while (p < end) {
            int n = b.get(p) & 0xFF;
            if (p + 1 + n > end) break;
            StringBuilder sb = new StringBuilder(n);
            for (int i = 0; i < n; i++) sb.append((char) (b.get(p + 1 + i) & 0xFF));
            out.add(sb.toString());
            p += 1 + n;
        }
    }

    private static String version(int v) {
        return switch (v) {
            case 0x0300 -> "SSL 3.0";
            case 0x0301 -> "TLS 1.0";
            case 0x0302 -> "TLS 1.1";
            case 0x0303 -> "TLS 1.2";
            case 0x0304 -> "TLS 1.3";
            default -> String.format("0x%04X", v);
        };
    }

    @Override
    public void onGap(Direction direction, long length, long ts) {
        Side s = direction == Direction.CLIENT_TO_SERVER ? client : server;
        s.hsLen = 0;
        s.lost = true;
        s.skip = 0;
    }

    @Override
    public void onClose(long ts) {
        if (pending != null) emit(pending, null, 0);
        pending = null;
    }
}
