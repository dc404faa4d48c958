package dev.trawl.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/** The protocols a dissection recognises: one list for TCP streams, one for UDP datagrams. */
public final class ProtocolRegistry {
    private final List<TcpProtocol> tcp;
    private final List<UdpProtocol> udp;

    private ProtocolRegistry(List<TcpProtocol> tcp, List<UdpProtocol> udp) {
        this.tcp = tcp.stream().sorted(Comparator.comparingInt(TcpProtocol::priority)).toList();
        this.udp = udp.stream().sorted(Comparator.comparingInt(UdpProtocol::priority)).toList();
    }

    /** Every protocol on the class path, found through {@link ServiceLoader} (see {@link TcpProtocol}). */
    public static ProtocolRegistry standard() {
        Builder b = builder();
        ServiceLoader.load(TcpProtocol.class, ProtocolRegistry.class.getClassLoader()).forEach(b::tcp);
        ServiceLoader.load(UdpProtocol.class, ProtocolRegistry.class.getClassLoader()).forEach(b::udp);
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** TCP protocols in detection order. */
    public List<TcpProtocol> tcp() {
        return tcp;
    }

    /** UDP protocols in matching order. */
    public List<UdpProtocol> udp() {
        return udp;
    }

    public Optional<TcpProtocol> tcp(String name) {
        return tcp.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public List<String> names() {
        List<String> names = new ArrayList<>();
        tcp.forEach(p -> names.add("tcp/" + p.name()));
        udp.forEach(p -> names.add("udp/" + p.name()));
        return names;
    }

    public static final class Builder {
        // keyed by name: registering a name twice replaces, so a test can swap one protocol
        private final Map<String, TcpProtocol> tcp = new LinkedHashMap<>();
        private final Map<String, UdpProtocol> udp = new LinkedHashMap<>();

        public Builder tcp(TcpProtocol p) {
            tcp.put(p.name(), p);
            return this;
        }

        public Builder udp(UdpProtocol p) {
            udp.put(p.name(), p);
            return this;
        }

        public ProtocolRegistry build() {
            return new ProtocolRegistry(new ArrayList<>(tcp.values()), new ArrayList<>(udp.values()));
        }
    }
}
