package dev.trawl.engine.tcp;

import dev.trawl.engine.Direction;
import dev.trawl.engine.Endpoints;
import dev.trawl.engine.Entry;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.TcpParser;
import dev.trawl.engine.TcpProtocol;
import dev.trawl.engine.packet.Packet;

/** One TCP connection: both half streams, the roles, and the protocol parser once detected. */
final class Connection implements TcpContext {
    enum State { DETECTING, PARSING, IGNORED, CLOSED }

    final ConnectionKey key;
    final long firstSeen;
    final HalfStream a;
    final HalfStream b;
    private final Services services;
    long lastSeen;
    State state = State.DETECTING;
    /** True when endpoint A is the client (sent the SYN, or was named so by detection). */
    boolean clientIsA;
    boolean rolesFromHandshake;
    TcpProtocol protocol;
    TcpParser parser;
    TcpProtocol handOffTo;
    private java.util.Map<String, String> handedOver = java.util.Map.of();
    private Endpoints endpoints;
    private int transactions;
    private final String idBase;

    Connection(ConnectionKey key, long firstSeen, Services services) {
        this.key = key;
        this.firstSeen = firstSeen;
        this.lastSeen = firstSeen;
        this.services = services;
        this.a = new HalfStream(key.bPort);
        this.b = new HalfStream(key.aPort);
        this.idBase = services.node() + "|tcp|" + Packet.format(key.aHi, key.aLo) + ":" + key.aPort + "|"
                + Packet.format(key.bHi, key.bLo) + ":" + key.bPort + "|" + firstSeen + "|";
    }

    Direction direction(HalfStream h) {
        return (h == a) == clientIsA ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
    }

    HalfStream half(Direction d) {
        return (d == Direction.CLIENT_TO_SERVER) == clientIsA ? a : b;
    }

    @Override
    public Endpoints endpoints() {
        if (endpoints == null) {
            String ipA = services.addresses().format(key.aHi, key.aLo);
            String ipB = services.addresses().format(key.bHi, key.bLo);
            endpoints = clientIsA ? new Endpoints(ipA, key.aPort, ipB, key.bPort) : new Endpoints(ipB, key.bPort, ipA, key.aPort);
        }
        return endpoints;
    }

    void resetEndpoints() {
        endpoints = null;
    }

    @Override
    public int bodyLimit() {
        return services.options().bodyLimit();
    }

    @Override
    public String source() {
        return services.source();
    }

    @Override
    public Entry.Builder newEntry() {
        Endpoints e = endpoints();
        return Entry.builder().node(services.node()).transport(Entry.TCP)
                .protocol(protocol == null ? "" : protocol.name())
                .srcIp(e.clientIp()).srcPort(e.clientPort()).dstIp(e.serverIp()).dstPort(e.serverPort())
                .source(services.source());
    }

    @Override
    public void emit(Entry.Builder entry) {
        services.emit(entry, idBase + transactions++);
    }

    @Override
    public boolean handOff(String protocolName) {
        return handOff(protocolName, java.util.Map.of());
    }

    @Override
    public boolean handOff(String protocolName, java.util.Map<String, String> upgradeRequest) {
        var next = services.registry().tcp(protocolName);
        if (next.isEmpty()) return false;
        handOffTo = next.get();
        handedOver = java.util.Map.copyOf(upgradeRequest);
        return true;
    }

    @Override
    public java.util.Map<String, String> handedOver() {
        return handedOver;
    }

    @Override
    public void count(String counter) {
        services.count(protocol == null ? "tcp" : protocol.name(), counter);
    }
}
