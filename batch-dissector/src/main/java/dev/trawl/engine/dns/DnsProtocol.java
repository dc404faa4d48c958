package dev.trawl.engine.dns;

import dev.trawl.engine.UdpContext;
import dev.trawl.engine.UdpParser;
import dev.trawl.engine.UdpProtocol;

import java.nio.ByteBuffer;

/**
 * DNS over UDP. Port 53 is DNS whatever its content (a malformed message is still one, and is
 * counted as such); on other ports a datagram must parse as a complete DNS message. mDNS
 * (5353) and LLMNR (5355) announcements are service discovery, not calls, and are counted only.
 */
public final class DnsProtocol implements UdpProtocol {

    @Override
    public String name() {
        return "dns";
    }

    @Override
    public boolean matches(ByteBuffer payload, int srcPort, int dstPort) {
        if (srcPort == 53 || dstPort == 53) return true;
        if (srcPort == 5353 || dstPort == 5353 || srcPort == 5355 || dstPort == 5355) return true;
        // NetBIOS name service borrows DNS's format but is another protocol
        if (srcPort == 137 || dstPort == 137 || srcPort == 138 || dstPort == 138) return false;
        int off = payload.position();
        int len = payload.remaining();
        if (!DnsMessage.plausibleHeader(payload, off, len)) return false;
        DnsMessage m = DnsMessage.parse(payload, off, len);
        return m != null && m.complete() && m.qdCount() > 0;
    }

    @Override
    public UdpParser newParser(UdpContext context) {
        return new Parser(context);
    }

    private static final class Parser implements UdpParser {
        private final UdpContext ctx;
        private final DnsTransactions transactions;
        private long lastExpire;

        Parser(UdpContext ctx) {
            this.ctx = ctx;
            this.transactions = new DnsTransactions(ctx::newEntry, ctx::emit, ctx.transactionTimeoutNanos());
        }

        @Override
        public void onDatagram(String srcIp, int srcPort, String dstIp, int dstPort, ByteBuffer payload, long ts) {
            boolean discovery = srcPort == 5353 || dstPort == 5353 || srcPort == 5355 || dstPort == 5355;
            if (discovery && srcPort != 53 && dstPort != 53) {
                ctx.count(srcPort == 5355 || dstPort == 5355 ? "llmnr_messages" : "mdns_messages");
                return;
            }
            DnsMessage m = DnsMessage.parse(payload, payload.position(), payload.remaining());
            if (m == null) {
                // shorter than a header (a snaplen cut): damage, not a message
                ctx.count("truncated");
                return;
            }
            ctx.count("messages");
            if (!m.complete()) ctx.count("malformed");
            transactions.message(m, srcIp, srcPort, dstIp, dstPort, ts, ctx.source());
        }

        @Override
        public void onTime(long ts) {
            if (ts - lastExpire < 1_000_000_000L) return;
            lastExpire = ts;
            transactions.expire(ts);
        }

        @Override
        public void onEnd() {
            transactions.end();
        }
    }
}
