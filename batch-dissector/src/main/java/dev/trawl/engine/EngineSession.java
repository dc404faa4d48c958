package dev.trawl.engine;

import dev.trawl.core.pcap.PcapFormatException;
import dev.trawl.core.pcap.PcapReader;
import dev.trawl.engine.flow.FlowTracker;
import dev.trawl.engine.icmp.IcmpParser;
import dev.trawl.engine.packet.AddressCache;
import dev.trawl.engine.packet.Packet;
import dev.trawl.engine.packet.PacketDecoder;
import dev.trawl.engine.tcp.Services;
import dev.trawl.engine.tcp.TcpReassembler;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * The dissection of one node's captures: feed its PCAP sources in the order they were written
 * ({@link #feed}), then {@link #finish()}. TCP, fragment and transaction state carries from one
 * source to the next, so a connection spanning two chunks is one connection. Single-threaded;
 * made by {@link DissectionEngine#newSession}.
 */
public final class EngineSession {
    private static final int MAX_ERRORS = 100;
    private static final long PROGRESS_EVERY_BYTES = 16L << 20;

    private final String node;
    private final EntrySink sink;
    private final DissectionOptions options;
    private final Redaction redaction;
    private final ProtocolRegistry registry;
    private final ProgressListener progress;
    private final BooleanSupplier cancelled;

    private final Ids ids = new Ids();
    private final AddressCache addresses = new AddressCache();
    private final Packet packet = new Packet();
    private final PacketDecoder decoder;
    private final TcpReassembler tcp;
    private final UdpParser[] udpParsers;
    private final List<UdpProtocol> udpProtocols;
    private final IcmpParser icmp;
    private final FlowTracker flows;
    private ByteBuffer udpViewSource;
    private ByteBuffer udpView;

    private String source = "";
    private Workloads workloads = Workloads.NONE;
    private int sourceIndex;
    private int sourceCount;
    private boolean finished;
    private boolean stopped;
    private long lastTs;

    // stats
    private long pcapFiles, bytes, packets, entries;
    private final Map<String, long[]> entriesByProtocol = new java.util.HashMap<>(); // no boxing per entry
    private final Map<String, Long> counters = new TreeMap<>();
    private final Map<String, Long> damage = new TreeMap<>();
    private final List<String> errors = new ArrayList<>();

    EngineSession(String node, EntrySink sink, DissectionOptions options, Redaction redaction, ProtocolRegistry registry,
              ProgressListener progress, BooleanSupplier cancelled) {
        this.node = node;
        this.sink = sink;
        this.options = options;
        this.redaction = redaction;
        this.registry = registry;
        this.progress = progress;
        this.cancelled = cancelled;
        this.decoder = new PacketDecoder(options.fragmentTimeout().toNanos(), options.maxFragmentBytes());
        Services services = new EngineServices();
        this.tcp = new TcpReassembler(services);
        this.udpProtocols = registry.udp();
        this.udpParsers = new UdpParser[udpProtocols.size()];
        this.flows = new FlowTracker(node, addresses, ids::of, ip -> workloads.of(ip), sink::acceptFlow);
        this.icmp = new IcmpParser(new UdpLikeContext("icmp", Entry.ICMP), options.transactionTimeout().toNanos(), addresses);
    }

    /** How many sources the caller means to feed, for progress reports. */
    public void expectSources(int count) {
        this.sourceCount = count;
    }

    /**
     * Reads one capture to its end. Damage inside it is counted and stepped over; a capture
     * that cannot be opened (not a capture at all) is counted and skipped. Returns false when
     * the dissection was cancelled (then stop feeding and call {@link #finish()}).
     *
     * @throws IOException when reading fails (a stream broke), not for damaged content
     */
    public boolean feed(PcapSource src) throws IOException {
        if (finished) throw new IllegalStateException("dissection already finished");
        if (stopped) return false;
        source = src.name();
        workloads = src.workloads();
        boolean windowed = src.fromNanos() != Long.MIN_VALUE || src.toNanos() != Long.MAX_VALUE;
        sourceIndex++;
        pcapFiles++;
        PcapReader reader;
        try {
            reader = src.open();
        } catch (PcapFormatException e) {
            damage("pcap_" + e.kind().name().toLowerCase(), e.getMessage());
            return true;
        }
        try (reader) {
            long sourceBytesAtStart = bytes;
            long nextProgress = PROGRESS_EVERY_BYTES;
            long done = 0;
            while (true) {
                try {
                    if (!reader.next()) break;
                } catch (PcapFormatException e) {
                    damage("pcap_" + e.kind().name().toLowerCase(), e.getMessage());
                    continue;
                }
                // a pcapng simple packet (time 0) takes the time of the one before it
                if (windowed && !src.holdsTime(reader.timestampNanos() == 0 ? lastTs : reader.timestampNanos())) continue;
                packets++;
                done = reader.position();
                packet(reader);
                if ((packets & 1023) == 0) {
                    if (cancelled.getAsBoolean()) {
                        stopped = true;
                        bytes = sourceBytesAtStart + done;
                        return false;
                    }
                    if (done >= nextProgress) {
                        nextProgress = done + PROGRESS_EVERY_BYTES;
                        report(done, src.size(), sourceBytesAtStart + done);
                    }
                }
            }
            done = reader.position();
            bytes = sourceBytesAtStart + done;
            report(done, src.size(), bytes);
        }
        return true;
    }

    private void report(long sourceDone, long sourceTotal, long bytesDone) {
        progress.onProgress(new DissectionProgress(source, sourceIndex, Math.max(sourceCount, sourceIndex), sourceDone,
                sourceTotal, bytesDone, packets, entries));
    }

    private void packet(PcapReader r) {
        long ts = r.timestampNanos();
        if (ts == 0) ts = lastTs; // pcapng simple packets carry no time
        if (r.capturedLength() < r.originalLength()) add(damage, "snaplen_truncated", 1);
        lastTs = ts;
        PacketDecoder.Result result = decoder.decode(r.buffer(), r.dataOffset(), r.capturedLength(), r.linkType(), ts, packet);
        switch (result) {
            case OK -> { }
            case MALFORMED -> {
                damage(decoder.malformedReason(), "packet " + r.packetCount() + " at byte " + r.recordOffset() + " of " + source);
                return;
            }
            case UNSUPPORTED_LINK -> {
                damage("unsupported_link_type", "link type " + r.linkType() + " in " + source);
                return;
            }
            default -> { return; }
        }
        if (packet.truncated) damage("ip_truncated", "packet " + r.packetCount() + " of " + source + " is shorter than its IP length");
        if (packet.protocol == Packet.TCP || packet.protocol == Packet.UDP) flows.onPacket(packet, r.originalLength());
        switch (packet.protocol) {
            case Packet.TCP -> tcp.segment(packet);
            case Packet.UDP -> udp(packet);
            case Packet.ICMP, Packet.ICMPV6 -> icmp.onPacket(packet, source);
            default -> { }
        }
        for (UdpParser p : udpParsers) if (p != null) p.onTime(ts);
    }

    private void udp(Packet p) {
        if (p.l4Length < 8) {
            damage("udp_truncated", "UDP header cut short in " + source);
            return;
        }
        ByteBuffer b = p.buf;
        int u = p.l4Offset;
        int sport = b.getShort(u) & 0xFFFF;
        int dport = b.getShort(u + 2) & 0xFFFF;
        int ulen = b.getShort(u + 4) & 0xFFFF;
        int payloadLen = p.l4Length - 8;
        if (ulen >= 8 && ulen - 8 < payloadLen) payloadLen = ulen - 8; // trailing padding
        else if (ulen > p.l4Length) damage("udp_truncated", "UDP length " + ulen + " beyond the captured " + p.l4Length + " in " + source);
        if (b != udpViewSource) {
            udpViewSource = b;
            udpView = b.duplicate();
        }
        for (int i = 0; i < udpProtocols.size(); i++) {
            UdpProtocol proto = udpProtocols.get(i);
            udpView.limit(u + 8 + payloadLen).position(u + 8);
            boolean match;
            try {
                match = proto.matches(udpView, sport, dport);
            } catch (RuntimeException e) {
                match = false;
            }
            if (!match) continue;
            UdpParser parser = udpParsers[i];
            if (parser == null) parser = udpParsers[i] = proto.newParser(new UdpLikeContext(proto.name(), Entry.UDP));
            udpView.limit(u + 8 + payloadLen).position(u + 8);
            try {
                parser.onDatagram(addresses.format(p.srcHi, p.srcLo), sport, addresses.format(p.dstHi, p.dstLo), dport,
                        udpView, p.timestampNanos);
            } catch (RuntimeException e) {
                damage("parser_errors", proto.name() + " parser failed in " + source + ": " + e);
            }
            return;
        }
    }

    /** Ends the dissection: open connections close and open transactions come out unanswered. */
    public DissectionStats finish() {
        if (!finished) {
            finished = true;
            if (!stopped) {
                tcp.closeAll();
                for (UdpParser p : udpParsers) if (p != null) p.onEnd();
                icmp.onEnd();
                flows.closeAll();
                int lost = decoder.fragmentsIncomplete();
                if (lost > 0) add(damage, "ip_fragments_incomplete", lost);
            }
            if (decoder.fragmentsExpired() > 0) add(damage, "ip_fragments_expired", decoder.fragmentsExpired());
            if (decoder.fragmentsDropped() > 0) add(damage, "ip_fragments_dropped", decoder.fragmentsDropped());
            sink.flush();
        }
        return stats();
    }

    private Map<String, Long> byProtocol() {
        Map<String, Long> m = new TreeMap<>();
        entriesByProtocol.forEach((k, v) -> m.put(k, v[0]));
        return m;
    }

    /** The figures so far. */
    public DissectionStats stats() {
        return new DissectionStats(pcapFiles, bytes, packets, entries, Collections.unmodifiableMap(byProtocol()),
                Collections.unmodifiableMap(countersView()), Collections.unmodifiableMap(new TreeMap<>(damage)),
                List.copyOf(errors), stopped);
    }

    private Map<String, Long> countersView() {
        Map<String, Long> m = new TreeMap<>(counters);
        eventCounts.forEach((p, events) -> events.forEach((e, n) -> m.put(p + "_" + e, n[0])));
        return m;
    }

    public String node() {
        return node;
    }

    // ------------------------------------------------------------------ services for the layers

    private void damage(String kind, String detail) {
        add(damage, kind, 1);
        if (errors.size() < MAX_ERRORS) errors.add(kind + ": " + detail);
    }

    /** Counts by protocol, then event: no string is built per event. Malformed and truncated messages are damage too. */
    private void count(String protocol, String counter) {
        long[] n = eventCounts.computeIfAbsent(protocol, k -> new java.util.HashMap<>()).computeIfAbsent(counter, k -> new long[1]);
        n[0]++;
        if (counter.equals("malformed") || counter.equals("truncated")) add(damage, protocol + "_" + counter, 1);
    }

    private final Map<String, Map<String, long[]>> eventCounts = new java.util.HashMap<>();

    private static void add(Map<String, Long> m, String k, long n) {
        m.merge(k, n, Long::sum);
    }

    private void emit(Entry.Builder b, String idKey) {
        b.id(ids.of(idKey));
        if (b.source().isEmpty()) b.source(source);
        workloads.name(b);
        redaction.apply(b); // before anything stores the entry
        Entry e = b.build();
        int proto = Entry.TCP.equals(e.transport()) ? Packet.TCP : Entry.UDP.equals(e.transport()) ? Packet.UDP : -1;
        if (proto > 0) flows.onCall(proto, e.protocol(), e.srcIp(), e.srcPort(), e.dstIp(), e.dstPort(), e.id());
        entries++;
        entriesByProtocol.computeIfAbsent(e.protocol(), k -> new long[1])[0]++;
        sink.accept(e);
    }

    private final class EngineServices implements Services {
        @Override public String node() { return node; }
        @Override public String source() { return source; }
        @Override public DissectionOptions options() { return options; }
        @Override public ProtocolRegistry registry() { return registry; }
        @Override public AddressCache addresses() { return addresses; }
        @Override public void emit(Entry.Builder entry, String idKey) { EngineSession.this.emit(entry, idKey); }
        @Override public void count(String protocol, String counter) { EngineSession.this.count(protocol, counter); }
        @Override public void damage(String kind, String detail) { EngineSession.this.damage(kind, detail); }
    }

    private final class UdpLikeContext implements UdpContext {
        private final String protocol;
        private final String transport;

        UdpLikeContext(String protocol, String transport) {
            this.protocol = protocol;
            this.transport = transport;
        }

        @Override public int bodyLimit() { return options.bodyLimit(); }
        @Override public long transactionTimeoutNanos() { return options.transactionTimeout().toNanos(); }
        @Override public String source() { return source; }

        @Override
        public Entry.Builder newEntry() {
            return Entry.builder().node(node).transport(transport).protocol(protocol).source(source);
        }

        @Override
        public void emit(Entry.Builder entry, String idKey) {
            EngineSession.this.emit(entry, node + "|" + transport + "|" + protocol + "|" + idKey);
        }

        @Override
        public void count(String counter) {
            EngineSession.this.count(protocol, counter);
        }
    }
}
