package dev.trawl.engine.http1;

import dev.trawl.engine.Entry;
import dev.trawl.engine.UdpContext;
import dev.trawl.engine.UdpParser;
import dev.trawl.engine.UdpProtocol;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HTTP messages in UDP datagrams (HTTPU: SSDP's M-SEARCH and NOTIFY, UPnP discovery). A
 * request waits for the first response sent back to its address and port; further responses
 * to a multicast search are counted, not paired.
 */
public final class HttpUdpProtocol implements UdpProtocol {
    private static final int MAX_OPEN = 10_000;

    @Override
    public String name() {
        return "http";
    }

    @Override
    public int priority() {
        return 120;
    }

    @Override
    public boolean matches(ByteBuffer payload, int srcPort, int dstPort) {
        StartLine s = StartLine.find(payload, payload.position(), payload.limit());
        return s == StartLine.REQUEST || s == StartLine.RESPONSE;
    }

    @Override
    public UdpParser newParser(UdpContext context) {
        return new Parser(context);
    }

    private record Key(String ip, int port) {}

    private record Open(Http1Parser.Message request, String dstIp, int dstPort) {}

    private static final class Parser implements UdpParser {
        private final UdpContext ctx;
        private final Map<Key, Open> open = new LinkedHashMap<>();
        private long lastExpire;

        Parser(UdpContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void onDatagram(String srcIp, int srcPort, String dstIp, int dstPort, ByteBuffer payload, long ts) {
            int p = payload.position();
            int lim = payload.limit();
            byte[] a = new byte[lim - p];
            payload.get(p, a);
            int end = Http1Parser.headEnd(a, 0, a.length);
            Http1Parser.Message m = Http1Parser.parseHead(a, 0, end < 0 ? a.length : end);
            m.ts = ts;
            m.size = lim - p;
            if (!m.method.isEmpty()) {
                ctx.count("requests");
                if (Http1Parser.isNotification(m.method)) ctx.count("notifications");
                Key k = new Key(srcIp, srcPort);
                Open prev = open.put(k, new Open(m, dstIp, dstPort));
                if (prev != null) emit(k, prev, null);
                if (open.size() > MAX_OPEN) {
                    Iterator<Map.Entry<Key, Open>> it = open.entrySet().iterator();
                    Map.Entry<Key, Open> first = it.next();
                    it.remove();
                    emit(first.getKey(), first.getValue(), null);
                }
            } else {
                Key k = new Key(dstIp, dstPort);
                Open req = open.remove(k);
                if (req != null) emit(k, req, m);
                else ctx.count("udp_responses_unpaired");
            }
        }

        private void emit(Key k, Open o, Http1Parser.Message resp) {
            Http1Parser.Message req = o.request();
            Entry.Builder e = ctx.newEntry().timestampNanos(req.ts).srcIp(k.ip()).srcPort(k.port()).dstIp(o.dstIp()).dstPort(o.dstPort())
                    .method(req.method).path(req.target).requestSize(req.size).field("http_version", req.version);
            String host = req.header("Host");
            if (host != null) e.host(host);
            for (String[] h : req.headers) e.requestHeader(h[0], h[1]);
            if (resp != null) {
                e.answered(true).status(resp.status).statusText(resp.reason).responseSize(resp.size).latencyMicros((resp.ts - req.ts) / 1000);
                for (String[] h : resp.headers) e.responseHeader(h[0], h[1]);
            }
            e.summary(req.method + " " + req.target + (resp != null ? " -> " + resp.status + " " + resp.reason : " (no response)"));
            ctx.emit(e, k.ip() + "|" + k.port() + "|" + req.ts);
        }

        @Override
        public void onTime(long ts) {
            if (ts - lastExpire < 1_000_000_000L) return;
            lastExpire = ts;
            Iterator<Map.Entry<Key, Open>> it = open.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Key, Open> en = it.next();
                if (ts - en.getValue().request().ts <= ctx.transactionTimeoutNanos()) return;
                it.remove();
                emit(en.getKey(), en.getValue(), null);
            }
        }

        @Override
        public void onEnd() {
            open.forEach((k, o) -> emit(k, o, null));
            open.clear();
        }
    }
}
