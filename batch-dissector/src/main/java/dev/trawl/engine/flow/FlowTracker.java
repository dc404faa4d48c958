package dev.trawl.engine.flow;

import dev.trawl.core.chunk.Workload;
import dev.trawl.engine.packet.AddressCache;
import dev.trawl.engine.packet.Packet;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Every TCP connection and UDP flow of a dissection, counted as tshark's conversation tables
 * ({@code -z conv,tcp}, {@code -z conv,udp}) and TCP sequence analysis count them. State is a
 * few counters per open flow; a flow is emitted once it is closed (FIN both ways or RST) and
 * quiet for {@link #CLOSED_LINGER_NANOS}, when a new SYN reuses its ports, or at the end of input.
 * Sources fed one after another continue the same flows, as TCP reassembly does.
 */
public final class FlowTracker {
    /** Packets after a close (the last ACK, a repeated RST) still belong to the connection, as in tshark. */
    static final long CLOSED_LINGER_NANOS = 60_000_000_000L;
    /** tshark's out-of-order threshold when no RTT is known yet: 3 ms. */
    private static final long OOO_DEFAULT_NANOS = 3_000_000L;
    /** A UDP flow this quiet is over: UDP has no close, and memory must stay bounded. */
    static final long UDP_IDLE_NANOS = 600_000_000_000L;
    private static final int MAX_CALL_IDS = 64;
    private static final int FIN = 1, SYN = 2, RST = 4, ACK = 16;

    private final String node;
    private final AddressCache addresses;
    private final Function<String, String> ids;
    private final Function<String, Workload> workloads;
    private final FlowSink sink;
    private final Map<Key, State> open = new HashMap<>();
    private long lastSweep;

    /**
     * {@code ids} hashes a flow's identity into its id (the engine's deterministic ids);
     * {@code workloads} names an address's owner as the current capture's table has it.
     */
    public FlowTracker(String node, AddressCache addresses, Function<String, String> ids, Function<String, Workload> workloads, FlowSink sink) {
        this.node = node;
        this.workloads = workloads;
        this.addresses = addresses;
        this.ids = ids;
        this.sink = sink;
    }

    record Key(int proto, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        static Key of(int proto, long sHi, long sLo, int sPort, long dHi, long dLo, int dPort) {
            int c = Long.compareUnsigned(sHi, dHi);
            if (c == 0) c = Long.compareUnsigned(sLo, dLo);
            if (c == 0) c = Integer.compare(sPort, dPort);
            return c <= 0 ? new Key(proto, sHi, sLo, sPort, dHi, dLo, dPort) : new Key(proto, dHi, dLo, dPort, sHi, sLo, sPort);
        }
    }

    /** One end's sequence analysis, as tshark's {@code tcp_analyze_seq_info} keeps it. */
    private static final class Half {
        long packets, bytes;
        boolean seqKnown;
        int nextSeq, lastAck, window = -1;
        boolean ackKnown;
        long nextSeqTs, lastDupAckTs;
        int dupAcks;
        boolean fin;
        long resets;
    }

    private static final class State {
        final Key key;
        long cHi, cLo, sHi, sLo;
        int cPort, sPort;
        long first, last;
        final Half client = new Half(), server = new Half();
        long synTs = -1, synAckTs = -1, rtt = -1;
        long retrans, ooo, dupAcks, zeroWindows, gaps;
        boolean reset;
        String protocol = "";
        final List<String> calls = new ArrayList<>();

        State(Key key) {
            this.key = key;
        }

        boolean closed() {
            return reset || (client.fin && server.fin);
        }
    }

    /** A TCP or UDP packet; {@code frameLength} is the frame's length on the wire, as tshark counts bytes. */
    public void onPacket(Packet p, int frameLength) {
        ByteBuffer b = p.buf;
        int h = p.l4Offset;
        if (p.l4Length < (p.protocol == Packet.TCP ? 20 : 8)) return;
        int sport = b.getShort(h) & 0xFFFF;
        int dport = b.getShort(h + 2) & 0xFFFF;
        Key key = Key.of(p.protocol, p.srcHi, p.srcLo, sport, p.dstHi, p.dstLo, dport);
        int flags = p.protocol == Packet.TCP ? b.get(h + 13) & 0x3F : 0;
        State s = open.get(key);
        if (s != null && p.protocol == Packet.TCP && (flags & (SYN | ACK)) == SYN && s.closed()) {
            // a new connection on the ports of a closed one: tshark starts a new conversation too
            emit(open.remove(key));
            s = null;
        }
        if (s == null) {
            s = new State(key);
            s.first = p.timestampNanos;
            boolean srcIsClient = p.protocol != Packet.TCP || (flags & (SYN | ACK)) != (SYN | ACK);
            if (srcIsClient) client(s, p.srcHi, p.srcLo, sport, p.dstHi, p.dstLo, dport);
            else client(s, p.dstHi, p.dstLo, dport, p.srcHi, p.srcLo, sport);
            open.put(key, s);
        }
        s.last = Math.max(s.last, p.timestampNanos);
        boolean fromClient = s.cHi == p.srcHi && s.cLo == p.srcLo && s.cPort == sport;
        Half fwd = fromClient ? s.client : s.server;
        Half rev = fromClient ? s.server : s.client;
        fwd.packets++;
        fwd.bytes += frameLength;
        if (p.protocol == Packet.TCP) tcp(s, p, fwd, rev, flags, fromClient);
        sweep(p.timestampNanos);
    }

    private static void client(State s, long cHi, long cLo, int cPort, long sHi, long sLo, int sPort) {
        s.cHi = cHi; s.cLo = cLo; s.cPort = cPort;
        s.sHi = sHi; s.sLo = sLo; s.sPort = sPort;
    }

    private void tcp(State s, Packet p, Half fwd, Half rev, int flags, boolean fromClient) {
        ByteBuffer b = p.buf;
        int h = p.l4Offset;
        int seq = b.getInt(h + 4);
        int ack = b.getInt(h + 8);
        int headerLength = ((b.get(h + 12) >> 4) & 0xF) * 4;
        int window = b.getShort(h + 14) & 0xFFFF;
        int seglen = Math.max(0, p.l4Length - headerLength);
        long ts = p.timestampNanos;
        boolean synFinRst = (flags & (SYN | FIN | RST)) != 0;
        int end = seq + seglen + ((flags & (SYN | FIN)) != 0 ? 1 : 0);

        // the handshake's RTT as tshark's tcp.analysis.initial_rtt: the SYN to the ACK that completes it
        if ((flags & (SYN | ACK)) == SYN && s.synTs < 0) s.synTs = ts;
        else if ((flags & (SYN | ACK)) == (SYN | ACK) && s.synAckTs < 0) s.synAckTs = ts;
        else if ((flags & (SYN | ACK | RST)) == ACK && s.synTs >= 0 && s.synAckTs >= 0 && s.rtt < 0 && fromClient) s.rtt = ts - s.synTs;

        if ((flags & RST) != 0) {
            fwd.resets++;
            s.reset = true;
        }
        if ((flags & FIN) != 0) {
            fwd.fin = true;
        }
        if (window == 0 && !synFinRst) s.zeroWindows++;

        boolean counted = false;
        if (fwd.seqKnown) {
            // "previous segment not captured": bytes this end sent that the capture does not hold
            if (seq - fwd.nextSeq > 0 && (flags & RST) == 0) s.gaps++;
            boolean keepAlive = seglen <= 1 && !synFinRst && seq == fwd.nextSeq - 1;
            if (!keepAlive && seglen == 0 && window != 0 && window == fwd.window && seq == fwd.nextSeq
                    && fwd.ackKnown && ack == fwd.lastAck && !synFinRst) {
                s.dupAcks++;
                fwd.dupAcks++;
                fwd.lastDupAckTs = ts;
                counted = true;
            }
            if (!counted && !keepAlive && (seglen > 0 || (flags & (SYN | FIN)) != 0) && seq - fwd.nextSeq < 0) {
                long threshold = s.rtt > 0 ? s.rtt : OOO_DEFAULT_NANOS;
                boolean fast = rev.dupAcks >= 2 && rev.lastAck == seq && ts - rev.lastDupAckTs < 20_000_000L;
                // as tshark: close behind the segment that advanced the sequence, and not a copy of that one
                if (!fast && ts - fwd.nextSeqTs < threshold && fwd.nextSeq != end) s.ooo++;
                else s.retrans++;
            }
        }
        if (!fwd.seqKnown || end - fwd.nextSeq > 0) {
            fwd.nextSeq = end;
            fwd.nextSeqTs = ts;
        }
        fwd.seqKnown = true;
        if ((flags & ACK) != 0) {
            if (!fwd.ackKnown || ack != fwd.lastAck) fwd.dupAcks = 0;
            fwd.lastAck = ack;
            fwd.ackKnown = true;
        }
        fwd.window = window;
    }

    /** A call the engine found on a flow: its protocol becomes the flow's, its id is listed (the first few). */
    public void onCall(int proto, String protocol, String srcIp, int srcPort, String dstIp, int dstPort, String callId) {
        long[] src = address(srcIp), dst = address(dstIp);
        if (src == null || dst == null) return;
        State s = open.get(Key.of(proto, src[0], src[1], srcPort, dst[0], dst[1], dstPort));
        if (s == null) return;
        if (s.protocol.isEmpty()) s.protocol = protocol;
        if (s.calls.size() < MAX_CALL_IDS) s.calls.add(callId);
    }

    /** An address as the decoder holds it (IPv4 mapped into IPv6); null for what is not one. */
    private static long[] address(String text) {
        byte[] a;
        try {
            a = java.net.InetAddress.ofLiteral(text).getAddress();
        } catch (IllegalArgumentException notAnAddress) {
            return null;
        }
        if (a.length == 4) return new long[] {0, 0x0000FFFF_00000000L | (java.nio.ByteBuffer.wrap(a).getInt() & 0xFFFFFFFFL)};
        var b = java.nio.ByteBuffer.wrap(a);
        return new long[] {b.getLong(), b.getLong()};
    }

    private void sweep(long now) {
        if (now - lastSweep < CLOSED_LINGER_NANOS) return;
        lastSweep = now;
        for (Iterator<State> it = open.values().iterator(); it.hasNext(); ) {
            State s = it.next();
            boolean done = s.key.proto == Packet.TCP ? s.closed() && now - s.last > CLOSED_LINGER_NANOS : now - s.last > UDP_IDLE_NANOS;
            if (done) {
                it.remove();
                emit(s);
            }
        }
    }

    /** The end of input: every flow still held comes out. */
    public void closeAll() {
        List<State> all = new ArrayList<>(open.values());
        open.clear();
        all.sort((x, y) -> Long.compare(x.first, y.first));
        all.forEach(this::emit);
    }

    private Workload owner(String ip) {
        Workload w = workloads.apply(ip);
        return w == null ? Flow.UNKNOWN : w;
    }

    public int openFlows() {
        return open.size();
    }

    private void emit(State s) {
        String transport = s.key.proto == Packet.TCP ? "tcp" : "udp";
        String client = addresses.format(s.cHi, s.cLo);
        String server = addresses.format(s.sHi, s.sLo);
        String close = s.key.proto != Packet.TCP ? Flow.CLOSE_OPEN : s.reset ? Flow.CLOSE_RST : s.client.fin && s.server.fin ? Flow.CLOSE_FIN : Flow.CLOSE_OPEN;
        String id = ids.apply(node + "|flow|" + transport + "|" + client + "|" + s.cPort + "|" + server + "|" + s.sPort + "|" + s.first);
        sink.accept(new Flow(id, node, transport, client, s.cPort, owner(client), server, s.sPort, owner(server), s.first, s.last,
                s.client.packets, s.client.bytes, s.server.packets, s.server.bytes, s.rtt,
                s.retrans, s.ooo, s.dupAcks, s.zeroWindows, s.client.resets, s.server.resets, close, s.gaps,
                s.protocol, List.copyOf(s.calls)));
    }
}
