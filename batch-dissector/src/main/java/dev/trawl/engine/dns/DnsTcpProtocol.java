package dev.trawl.engine.dns;

import dev.trawl.engine.Detection;
import dev.trawl.engine.Direction;
import dev.trawl.engine.Endpoints;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.TcpParser;
import dev.trawl.engine.TcpProtocol;

import java.nio.ByteBuffer;

/** DNS over TCP: two-byte length, then a DNS message; recognised by content on any port. */
public final class DnsTcpProtocol extends TcpProtocol.Declared {

    public DnsTcpProtocol() {
        super("dns", 80, DnsTcpProtocol::recognise, Parser::new);
    }

    private static Detection recognise(ByteBuffer data, int port) {
        int p = data.position();
        int n = data.remaining();
        if (n < 2) return Detection.NEED_MORE;
        int len = DnsMessage.u16(data, p);
        if (len < 12) return Detection.NO;
        if (n < 14) return Detection.NEED_MORE;
        if (!DnsMessage.plausibleHeader(data, p + 2, Math.min(len, n - 2))) return Detection.NO;
        if (n < 2 + len) return len > 16384 ? Detection.NO : Detection.NEED_MORE;
        DnsMessage m = DnsMessage.parse(data, p + 2, len);
        if (m == null || !m.complete() || m.qdCount() == 0) return Detection.NO;
        return m.response() ? Detection.SERVER : Detection.CLIENT;
    }

    private static final class Parser implements TcpParser {
        private final TcpContext ctx;
        private final DnsTransactions transactions;
        private boolean lost;

        Parser(TcpContext ctx) {
            this.ctx = ctx;
            // the connection's id sequence makes TCP ids; the key passed by the pairing is not needed
            this.transactions = new DnsTransactions(ctx::newEntry, (e, key) -> ctx.emit(e), Long.MAX_VALUE);
        }

        @Override
        public int onData(Direction dir, ByteBuffer data, long ts) {
            if (lost) return data.remaining();
            int start = data.position();
            int p = start;
            int lim = data.limit();
            while (lim - p >= 2) {
                int len = DnsMessage.u16(data, p);
                if (lim - p < 2 + len) break;
                DnsMessage m = DnsMessage.parse(data, p + 2, len);
                if (m == null) ctx.count("truncated");
                else {
                    ctx.count("messages");
                    if (!m.complete()) ctx.count("malformed");
                    Endpoints e = ctx.endpoints();
                    if (dir == Direction.CLIENT_TO_SERVER) {
                        transactions.message(m, e.clientIp(), e.clientPort(), e.serverIp(), e.serverPort(), ts, ctx.source());
                    } else {
                        transactions.message(m, e.serverIp(), e.serverPort(), e.clientIp(), e.clientPort(), ts, ctx.source());
                    }
                }
                p += 2 + len;
            }
            return p - start;
        }

        @Override
        public void onGap(Direction direction, long length, long ts) {
            // length-prefixed framing cannot be found again inside a stream: give up on it
            lost = true;
        }

        @Override
        public void onClose(long ts) {
            transactions.end();
        }
    }
}
