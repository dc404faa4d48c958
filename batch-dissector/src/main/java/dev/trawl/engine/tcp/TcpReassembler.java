package dev.trawl.engine.tcp;

import dev.trawl.engine.Detection;
import dev.trawl.engine.Direction;
import dev.trawl.engine.TcpProtocol;
import dev.trawl.engine.packet.Packet;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns TCP segments into in-order byte streams per connection and direction and feeds them to
 * the protocol parsers. Handles segments out of order, retransmissions and overlaps (first copy
 * wins), holes the capture missed (confirmed by the peer's ACK, by the end of the connection,
 * or by the buffer bounds; reported to the parser as a gap), streams whose start was not
 * captured, FIN and RST. Memory is bounded per connection and in total, and connections time
 * out in packet time.
 */
public final class TcpReassembler {
    private static final int FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;
    /** Bytes of one direction that detection may hold while protocols ask for more. */
    private static final int DETECT_LIMIT = 16 * 1024;
    /**
     * Segments of one direction detection may reject, each tried afresh from its first byte,
     * before that direction is given up: a pooled connection seen from its middle may start
     * with the tail of a large answer before its next keep-alive or command.
     */
    private static final int DETECT_ATTEMPTS = 64;
    /** Bytes of one direction detection may reject before that direction is given up. */
    private static final long DETECT_BYTES = 1 << 20;

    private final Services services;
    private final List<TcpProtocol> protocols;
    private final int maxPerConnection;
    private final long maxTotal;
    private final int maxConnections;
    private final long idleNanos;
    private final long lingerNanos;

    private final LinkedHashMap<ConnectionKey, Connection> table = new LinkedHashMap<>(1024, 0.75f, true);
    private final ConnectionKey probe = new ConnectionKey();
    private long buffered;
    private long lastSweep = Long.MIN_VALUE;

    private ByteBuffer viewSource;
    private ByteBuffer view;

    public TcpReassembler(Services services) {
        this.services = services;
        this.protocols = services.registry().tcp();
        this.maxPerConnection = services.options().maxBufferPerConnection();
        this.maxTotal = services.options().maxBufferTotal();
        this.maxConnections = services.options().maxConnections();
        this.idleNanos = services.options().tcpIdleTimeout().toNanos();
        this.lingerNanos = services.options().closedLinger().toNanos();
    }

    public int connections() {
        return table.size();
    }

    public long bufferedBytes() {
        return buffered;
    }

    /** One TCP segment: the transport header starts at {@code p.l4Offset}. */
    public void segment(Packet p) {
        ByteBuffer buf = p.buf;
        int t = p.l4Offset;
        if (p.l4Length < 20) {
            services.damage("tcp_truncated", "TCP header cut short");
            return;
        }
        int sport = buf.getShort(t) & 0xFFFF;
        int dport = buf.getShort(t + 2) & 0xFFFF;
        int seq = buf.getInt(t + 4);
        int ack = buf.getInt(t + 8);
        int hlen = ((buf.get(t + 12) & 0xF0) >> 4) * 4;
        int flags = buf.get(t + 13) & 0xFF;
        if (hlen < 20 || hlen > p.l4Length) {
            services.damage("tcp_bad_header_length", "TCP header length " + hlen + " with " + p.l4Length + " bytes");
            return;
        }
        int off = t + hlen;
        int len = p.l4Length - hlen;
        long ts = p.timestampNanos;
        sweep(ts);

        boolean fromA = probe.set(p.srcHi, p.srcLo, sport, p.dstHi, p.dstLo, dport);
        Connection c = table.get(probe);
        boolean syn = (flags & SYN) != 0;
        boolean synOnly = syn && (flags & ACK) == 0;
        if (c != null && synOnly) {
            HalfStream h = fromA ? c.a : c.b;
            boolean retransmittedSyn = h.seqKnown && h.isn == seq && c.state != Connection.State.CLOSED;
            if (!retransmittedSyn && (c.state == Connection.State.CLOSED || h.seqKnown && h.isn != seq)) {
                close(c, ts);
                table.remove(c.key);
                c = null;
            }
        }
        if (c == null) {
            if (len == 0 && !syn) return; // a stray ACK or RST of a connection we never saw carries nothing
            if ((flags & RST) != 0 && len == 0) return;
            if (table.size() >= maxConnections) evictOldest(ts);
            c = new Connection(probe.copy(), ts, services);
            table.put(c.key, c);
            if (syn) {
                c.clientIsA = synOnly == fromA;
                c.rolesFromHandshake = true;
            } else {
                c.clientIsA = fromA; // a guess until a protocol recognises the bytes
            }
        }
        c.lastSeen = ts;
        if (c.state == Connection.State.CLOSED) return; // a late retransmission or ACK

        HalfStream h = fromA ? c.a : c.b;
        HalfStream peer = fromA ? c.b : c.a;
        if (syn) {
            if (!h.seqKnown) {
                h.seqKnown = true;
                h.isn = seq;
                h.nextSeq = seq + 1;
            }
            seq += 1; // SYN takes one sequence number; data with SYN (TFO) follows it
        }
        if ((flags & ACK) != 0) {
            if (!peer.peerAckKnown || ack - peer.peerAck > 0) {
                peer.peerAck = ack;
                peer.peerAckKnown = true;
            }
            if (!peer.outOfOrder.isEmpty() && ack - peer.nextSeq > 0) {
                // the peer received bytes we never saw: the hole is a capture loss, not a delay
                fillHolesUpTo(c, peer, ack, ts);
            }
        }
        if (len > 0) {
            data(c, h, seq, buf, off, len, ts);
        }
        if ((flags & FIN) != 0 && !h.finSeen) {
            h.finSeen = true;
            h.finSeq = seq + len;
        }
        if (h.finSeen && h.seqKnown && h.nextSeq - h.finSeq >= 0) h.finished = true;
        if ((flags & RST) != 0 || c.a.finished && c.b.finished) {
            close(c, ts);
        }
    }

    private void data(Connection c, HalfStream h, int seq, ByteBuffer buf, int off, int len, long ts) {
        if (!h.seqKnown) {
            h.seqKnown = true; // the start of this direction was not captured: begin here
            h.isn = seq - 1;
            h.nextSeq = seq;
        }
        int rel = seq - h.nextSeq;
        if (rel > 0) {
            if (h.peerAckKnown && h.peerAck - seq >= 0) {
                // the receiver already acknowledged past this segment's start: the hole is lost
                gap(c, h, rel, ts);
                h.nextSeq = seq;
                deliver(c, h, buf, off, len, ts);
                h.nextSeq += len;
                drain(c, h);
                return;
            }
            if (h.outOfOrderBytes + len > maxPerConnection || buffered + len > maxTotal) {
                services.damage("tcp_buffer_limit", "out-of-order data beyond the buffer limit");
                fillHolesUpTo(c, h, seq, ts);
                if (seq - h.nextSeq > 0) {
                    gap(c, h, seq - h.nextSeq, ts);
                    h.nextSeq = seq;
                }
                data(c, h, seq, buf, off, len, ts);
                return;
            }
            for (HalfStream.Segment s : h.outOfOrder) {
                if (s.seq() == seq && s.data().length >= len) {
                    services.count("tcp", "retransmissions");
                    return;
                }
            }
            byte[] copy = new byte[len];
            buf.get(off, copy);
            h.insert(new HalfStream.Segment(seq, copy, ts));
            buffered += len;
            return;
        }
        if (rel + len <= 0) {
            services.count("tcp", "retransmissions");
            return;
        }
        if (rel < 0) services.count("tcp", "overlaps");
        int skip = -rel;
        deliver(c, h, buf, off + skip, len - skip, ts);
        h.nextSeq += len - skip;
        drain(c, h);
    }

    /** Delivers held segments that are now in order, each dated by the packet that brought it. */
    private void drain(Connection c, HalfStream h) {
        while (!h.outOfOrder.isEmpty()) {
            HalfStream.Segment s = h.outOfOrder.getFirst();
            int rel = s.seq() - h.nextSeq;
            if (rel > 0) return;
            h.outOfOrder.removeFirst();
            h.outOfOrderBytes -= s.data().length;
            buffered -= s.data().length;
            int len = s.data().length;
            if (rel + len <= 0) {
                services.count("tcp", "retransmissions");
                continue;
            }
            if (rel < 0) services.count("tcp", "overlaps");
            int skip = -rel;
            deliver(c, h, ByteBuffer.wrap(s.data()), skip, len - skip, s.timestampNanos());
            h.nextSeq += len - skip;
        }
    }

    /** Declares the holes before {@code upTo} lost and delivers what was held behind them. */
    private void fillHolesUpTo(Connection c, HalfStream h, int upTo, long ts) {
        while (!h.outOfOrder.isEmpty()) {
            HalfStream.Segment s = h.outOfOrder.getFirst();
            if (s.seq() - upTo > 0) return;
            int rel = s.seq() - h.nextSeq;
            if (rel > 0) {
                gap(c, h, rel, ts);
                h.nextSeq = s.seq();
            }
            drain(c, h);
        }
    }

    private void gap(Connection c, HalfStream h, long length, long ts) {
        services.damage("tcp_gaps", "a hole of " + length + " bytes in " + c.endpoints());
        if (c.state == Connection.State.PARSING) {
            h.pendingLen = 0;
            releasePending(h);
            c.parser.onGap(c.direction(h), length, ts);
        } else if (c.state == Connection.State.DETECTING) {
            h.pendingLen = 0;
            releasePending(h);
        }
    }

    // ------------------------------------------------------------------ delivery

    private ByteBuffer view(ByteBuffer source, int off, int len) {
        if (source != viewSource) {
            viewSource = source;
            view = source.duplicate();
        }
        view.limit(off + len).position(off);
        return view;
    }

    private void deliver(Connection c, HalfStream h, ByteBuffer buf, int off, int len, long ts) {
        switch (c.state) {
            case PARSING -> feed(c, h, buf, off, len, ts);
            case DETECTING -> {
                if (h.pendingLen + len > maxPerConnection || buffered + len > maxTotal) {
                    rejected(c, h, h.pendingLen + len); // cannot hold it: start detection afresh on later bytes
                    return;
                }
                append(h, buf, off, len, ts);
                detect(c, h, ts);
            }
            default -> { }
        }
    }

    private void feed(Connection c, HalfStream h, ByteBuffer buf, int off, int len, long ts) {
        if (h.pendingLen > 0) {
            if (h.pendingLen + len > maxPerConnection || buffered + len > maxTotal) {
                services.damage("tcp_buffer_limit", "a message larger than the per-connection buffer in " + c.endpoints());
                long dropped = h.pendingLen;
                h.pendingLen = 0;
                releasePending(h);
                c.parser.onGap(c.direction(h), dropped, ts);
            } else {
                append(h, buf, off, len, ts);
                // the held bytes start the parser's next message: date them by their own packet
                int consumed = parse(c, h, ByteBuffer.wrap(h.pending), 0, h.pendingLen, h.pendingSince());
                compact(h, consumed);
                return;
            }
        }
        int consumed = parse(c, h, buf, off, len, ts);
        if (consumed < len && c.state == Connection.State.PARSING) {
            int rest = len - consumed;
            if (rest > maxPerConnection || buffered + rest > maxTotal) {
                services.damage("tcp_buffer_limit", "a message larger than the per-connection buffer in " + c.endpoints());
                c.parser.onGap(c.direction(h), rest, ts);
            } else {
                append(h, buf, off + consumed, rest, ts);
            }
        }
    }

    /** Runs the parser, following hand-offs to another protocol; returns the bytes consumed. */
    private int parse(Connection c, HalfStream h, ByteBuffer buf, int off, int len, long ts) {
        Direction dir = c.direction(h);
        int consumed = 0;
        for (int guard = 0; guard < 4; guard++) {
            int n;
            try {
                n = c.parser.onData(dir, view(buf, off + consumed, len - consumed), ts);
            } catch (RuntimeException e) {
                // a parser bug must not end the dissection: count it and ignore the connection
                services.damage("parser_errors", c.protocol.name() + " parser failed on " + c.endpoints() + ": " + e);
                ignore(c);
                return len;
            }
            consumed += Math.clamp(n, 0, len - consumed);
            if (c.handOffTo == null) break;
            c.parser.onClose(ts);
            c.protocol = c.handOffTo;
            c.handOffTo = null;
            c.parser = c.protocol.newParser(c);
            if (consumed == len) break;
        }
        return consumed;
    }

    private void detect(Connection c, HalfStream h, long ts) {
        int shown = Math.min(h.pendingLen, DETECT_LIMIT);
        ByteBuffer data = ByteBuffer.wrap(h.pending, 0, shown).asReadOnlyBuffer();
        boolean needMore = false;
        for (TcpProtocol proto : protocols) {
            data.limit(shown).position(0);
            Detection d;
            try {
                d = proto.detect(data, h.dstPort);
            } catch (RuntimeException e) {
                d = Detection.NO;
            }
            if (d == Detection.NEED_MORE) needMore = true;
            if (d == Detection.CLIENT || d == Detection.SERVER) {
                if (!c.rolesFromHandshake) {
                    boolean senderIsA = h == c.a;
                    c.clientIsA = d == Detection.CLIENT ? senderIsA : !senderIsA;
                    c.resetEndpoints();
                }
                start(c, proto, h, ts);
                return;
            }
        }
        if (needMore && h.pendingLen < DETECT_LIMIT) return;
        rejected(c, h, h.pendingLen);
    }

    /** No protocol took these bytes: drop them; once both directions are past the bounds, the connection is ignored. */
    private void rejected(Connection c, HalfStream h, long bytes) {
        h.pendingLen = 0;
        releasePending(h);
        h.detectAttempts++;
        h.detectRejected += bytes;
        HalfStream other = h == c.a ? c.b : c.a;
        if (givenUp(h) && (givenUp(other) || other.finished)) {
            ignore(c);
        }
    }

    private static boolean givenUp(HalfStream h) {
        return h.detectAttempts >= DETECT_ATTEMPTS || h.detectRejected >= DETECT_BYTES;
    }

    private void start(Connection c, TcpProtocol proto, HalfStream first, long ts) {
        c.state = Connection.State.PARSING;
        c.protocol = proto;
        c.parser = proto.newParser(c);
        services.count(proto.name(), "connections");
        replayHeld(c, first);
    }

    /**
     * The bytes held while detecting go to the new parser packet by packet, in capture order
     * across both directions, so that requests and answers held on both sides (a pool's
     * keep-alives) pair as they did on the wire.
     */
    private void replayHeld(Connection c, HalfStream first) {
        HalfStream[] halves = {first, first == c.a ? c.b : c.a};
        int[] mark = new int[2];
        int[] consumed = new int[2];
        while (c.state == Connection.State.PARSING) {
            int next = -1;
            for (int i = 0; i < 2; i++) {
                if (mark[i] < halves[i].marks()
                        && (next < 0 || halves[i].markTs(mark[i]) < halves[next].markTs(mark[next]))) {
                    next = i;
                }
            }
            if (next < 0) break;
            HalfStream h = halves[next];
            int end = ++mark[next] < h.marks() ? h.markAt(mark[next]) : h.pendingLen;
            int from = consumed[next];
            if (end > from) {
                // the parser dates a message by its first byte, which came with the packet that brought it
                consumed[next] += parse(c, h, ByteBuffer.wrap(h.pending), from, end - from, h.timestampAt(from));
            }
        }
        for (int i = 0; i < 2; i++) {
            if (c.state == Connection.State.PARSING && halves[i].pendingLen > 0) compact(halves[i], consumed[i]);
        }
    }

    private void ignore(Connection c) {
        c.state = Connection.State.IGNORED;
        for (HalfStream h : new HalfStream[] {c.a, c.b}) {
            h.pendingLen = 0;
            releasePending(h);
        }
    }

    private void append(HalfStream h, ByteBuffer buf, int off, int len, long ts) {
        if (len <= 0) return;
        h.markAppend(h.pendingLen, ts);
        int need = h.pendingLen + len;
        if (h.pending == null || h.pending.length < need) {
            int cap = Math.max(need, h.pending == null ? 4096 : h.pending.length * 2);
            byte[] bigger = new byte[cap];
            if (h.pending != null) {
                System.arraycopy(h.pending, 0, bigger, 0, h.pendingLen);
                buffered -= h.pending.length;
            }
            buffered += cap;
            h.pending = bigger;
        }
        buf.get(off, h.pending, h.pendingLen, len);
        h.pendingLen = need;
    }

    private void compact(HalfStream h, int consumed) {
        if (h.pending == null) return;
        int rest = h.pendingLen - consumed;
        if (rest <= 0) {
            h.pendingLen = 0;
            releasePending(h);
            return;
        }
        System.arraycopy(h.pending, consumed, h.pending, 0, rest);
        h.pendingLen = rest;
        h.markConsumed(consumed);
    }

    private void releasePending(HalfStream h) {
        if (h.pending != null && h.pendingLen == 0) {
            buffered -= h.pending.length;
            h.pending = null;
        }
    }

    // ------------------------------------------------------------------ end of connections

    private void close(Connection c, long ts) {
        if (c.state == Connection.State.CLOSED) return;
        for (HalfStream h : new HalfStream[] {c.a, c.b}) {
            if (!h.outOfOrder.isEmpty()) {
                HalfStream.Segment last = h.outOfOrder.getLast();
                fillHolesUpTo(c, h, last.seq(), ts);
            }
        }
        if (c.state == Connection.State.PARSING) {
            try {
                c.parser.onClose(ts);
            } catch (RuntimeException e) {
                services.damage("parser_errors", c.protocol.name() + " parser failed closing " + c.endpoints() + ": " + e);
            }
        }
        c.state = Connection.State.CLOSED;
        // A closed connection lingers (late retransmissions, ACKs, port reuse) and needs only its
        // sequence numbers for that; its parser's buffers would linger with it, one set per short
        // connection of the last closedLinger.
        c.parser = null;
        for (HalfStream h : new HalfStream[] {c.a, c.b}) {
            h.pendingLen = 0;
            releasePending(h);
            buffered -= h.outOfOrderBytes;
            h.outOfOrder.clear();
            h.outOfOrderBytes = 0;
        }
    }

    private void evictOldest(long ts) {
        Iterator<Map.Entry<ConnectionKey, Connection>> it = table.entrySet().iterator();
        if (!it.hasNext()) return;
        Connection c = it.next().getValue();
        if (c.state != Connection.State.CLOSED) services.damage("tcp_connections_evicted", "connection table full");
        close(c, ts);
        it.remove();
    }

    /** Closes connections idle longer than the timeout (packet time); drops closed ones after the linger. */
    private void sweep(long now) {
        if (now - lastSweep < 1_000_000_000L && lastSweep != Long.MIN_VALUE) return;
        lastSweep = now;
        Iterator<Map.Entry<ConnectionKey, Connection>> it = table.entrySet().iterator();
        while (it.hasNext()) {
            Connection c = it.next().getValue();
            long idle = now - c.lastSeen;
            long limit = c.state == Connection.State.CLOSED ? lingerNanos : idleNanos;
            if (idle <= limit) {
                if (idle <= Math.min(lingerNanos, idleNanos)) break;
                continue;
            }
            close(c, c.lastSeen);
            it.remove();
        }
    }

    /** The input ended: every connection closes, its open transactions come out. */
    public void closeAll() {
        for (Connection c : table.values()) close(c, c.lastSeen);
        table.clear();
        buffered = 0;
    }
}
