package dev.trawl.engine.icmp;

import dev.trawl.engine.Entry;
import dev.trawl.engine.UdpContext;
import dev.trawl.engine.packet.AddressCache;
import dev.trawl.engine.packet.Packet;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ICMP and ICMPv6: an echo request and its reply make one entry (paired by addresses,
 * identifier and sequence); error messages (unreachable, time exceeded, parameter problem...)
 * are entries of their own. Neighbour discovery and multicast listener chatter is not an API
 * call and is left out.
 */
public final class IcmpParser {
    private record EchoKey(long srcHi, long srcLo, long dstHi, long dstLo, int version, int id, int seq) {}

    private record Echo(long ts, int size, String src, String dst, String sourceFile) {}

    private final UdpContext ctx;
    private final long timeoutNanos;
    private final AddressCache addresses;
    private final Map<EchoKey, Echo> open = new LinkedHashMap<>();

    public IcmpParser(UdpContext ctx, long timeoutNanos, AddressCache addresses) {
        this.ctx = ctx;
        this.timeoutNanos = timeoutNanos;
        this.addresses = addresses;
    }

    public void onPacket(Packet p, String source) {
        expire(p.timestampNanos);
        if (p.l4Length < 4) {
            ctx.count("malformed");
            return;
        }
        ByteBuffer b = p.buf;
        int o = p.l4Offset;
        int type = b.get(o) & 0xFF;
        int code = b.get(o + 1) & 0xFF;
        boolean v6 = p.protocol == Packet.ICMPV6;
        boolean echoRequest = v6 ? type == 128 : type == 8;
        boolean echoReply = v6 ? type == 129 : type == 0;
        ctx.count("messages");
        if (echoRequest || echoReply) {
            if (p.l4Length < 8) {
                ctx.count("malformed");
                return;
            }
            int id = b.getShort(o + 4) & 0xFFFF;
            int seq = b.getShort(o + 6) & 0xFFFF;
            if (echoRequest) {
                EchoKey k = new EchoKey(p.srcHi, p.srcLo, p.dstHi, p.dstLo, p.ipVersion, id, seq);
                Echo prev = open.put(k, new Echo(p.timestampNanos, p.l4Length,
                        addresses.format(p.srcHi, p.srcLo), addresses.format(p.dstHi, p.dstLo), source));
                if (prev != null) emitEcho(prev, id, seq, null, 0, 0); // a repeated request: the first went unanswered
            } else {
                EchoKey k = new EchoKey(p.dstHi, p.dstLo, p.srcHi, p.srcLo, p.ipVersion, id, seq);
                Echo req = open.remove(k);
                if (req == null) {
                    // the request was not captured: the reply still tells of a call
                    Entry.Builder e = base(addresses.format(p.dstHi, p.dstLo), addresses.format(p.srcHi, p.srcLo), p.timestampNanos)
                            .method("echo").path("id=" + id + " seq=" + seq).answered(true).responseSize(p.l4Length)
                            .status(type).statusText("echo reply").field("icmp_type", type).field("icmp_code", code)
                            .summary("echo reply (request not captured) from " + addresses.format(p.srcHi, p.srcLo));
                    ctx.emit(e, "reply|" + addresses.format(p.dstHi, p.dstLo) + "|" + addresses.format(p.srcHi, p.srcLo) + "|" + id + "|" + seq
                            + "|" + p.timestampNanos);
                    return;
                }
                emitEcho(req, id, seq, p, type, code);
            }
            return;
        }
        String name = errorName(v6, type);
        if (name == null) {
            // unassigned types (not informational ones such as neighbour discovery) are damage
            if (v6 ? type < 128 || type > 161 : type > 43) ctx.count("malformed");
            return;
        }
        Entry.Builder e = base(addresses.format(p.srcHi, p.srcLo), addresses.format(p.dstHi, p.dstLo), p.timestampNanos)
                .method(name).status(code).statusText(name + " code " + code).requestSize(p.l4Length)
                .field("icmp_type", type).field("icmp_code", code)
                .summary(name + " (code " + code + ") from " + addresses.format(p.srcHi, p.srcLo));
        ctx.emit(e, "error|" + addresses.format(p.srcHi, p.srcLo) + "|" + addresses.format(p.dstHi, p.dstLo) + "|" + type + "|" + code
                + "|" + p.timestampNanos);
    }

    private Entry.Builder base(String src, String dst, long ts) {
        return ctx.newEntry().srcIp(src).dstIp(dst).timestampNanos(ts);
    }

    private void emitEcho(Echo req, int id, int seq, Packet reply, int type, int code) {
        Entry.Builder e = base(req.src(), req.dst(), req.ts()).method("echo").path("id=" + id + " seq=" + seq)
                .requestSize(req.size()).source(req.sourceFile());
        if (reply != null) {
            e.answered(true).latencyMicros((reply.timestampNanos - req.ts()) / 1000).responseSize(reply.l4Length)
                    .status(0).statusText("echo reply").field("icmp_type", type).field("icmp_code", code)
                    .summary("ping " + req.dst() + " answered in " + (reply.timestampNanos - req.ts()) / 1000 + " µs");
        } else {
            e.answered(false).summary("ping " + req.dst() + " unanswered");
        }
        ctx.emit(e, "echo|" + req.src() + "|" + req.dst() + "|" + id + "|" + seq + "|" + req.ts());
    }

    private void expire(long now) {
        Iterator<Map.Entry<EchoKey, Echo>> it = open.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<EchoKey, Echo> en = it.next();
            if (now - en.getValue().ts() <= timeoutNanos) break;
            it.remove();
            emitEcho(en.getValue(), en.getKey().id(), en.getKey().seq(), null, 0, 0);
        }
    }

    public void onEnd() {
        for (Map.Entry<EchoKey, Echo> en : open.entrySet()) emitEcho(en.getValue(), en.getKey().id(), en.getKey().seq(), null, 0, 0);
        open.clear();
    }

    private static String errorName(boolean v6, int type) {
        if (v6) {
            return switch (type) {
                case 1 -> "destination unreachable";
                case 2 -> "packet too big";
                case 3 -> "time exceeded";
                case 4 -> "parameter problem";
                default -> null;
            };
        }
        return switch (type) {
            case 3 -> "destination unreachable";
            case 4 -> "source quench";
            case 5 -> "redirect";
            case 11 -> "time exceeded";
            case 12 -> "parameter problem";
            case 13 -> "timestamp";
            case 14 -> "timestamp reply";
            default -> null;
        };
    }
}
