package dev.trawl.capture.live;

import dev.trawl.core.LocalStacks;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The daemon's own connections, as a BPF expression that matches their packets, so a live capture
 * on the host network leaves out what the daemon itself sends: its S3 uploads, CloudEvents,
 * heartbeats, the Kubernetes watch — whatever the process talks to, whichever client opened it.
 *
 * <p>The sockets are this process's own ({@code /proc/self/fd} → socket inodes, matched in
 * {@code /proc/self/net/{tcp,tcp6,udp,udp6}}). A connected socket is identified by both of its
 * ends: Linux lets connections to different destinations share a local port, so another process
 * may use the very local address and port of one of ours at the same time, and the local end
 * alone would leave its packets out too. Where netfilter translates a connection (a Service's
 * DNAT to the API server, SNAT), the wire carries other addresses than the socket's: the
 * connection's conntrack entry ({@code /proc/self/net/nf_conntrack}, read only when a new
 * connection appears) gives the translated pair, which is left out as well. Without conntrack
 * there is no netfilter NAT, and the socket's pair is the wire's. A listening socket (and an
 * unconnected UDP socket) matches by its local address and port, by port alone when bound to
 * every address: connect() never picks a port a socket is bound to, and its accepted connections
 * are the process's too.
 *
 * <p>An endpoint stays in the expression for {@link #LINGER_NANOS} after its socket is gone, so
 * the closing handshake and late retransmissions stay out as well.
 *
 * <p>A socket is known only once a scan sees it, so a live capture learns a new connection up to
 * a scan interval late (its first packets are then removed from the chunk when it closes, see
 * {@link LiveCapture}), and a connection that opens and closes between two scans is never seen
 * (its socket is gone; one in TIME_WAIT belongs to no process). The S3 client opens such short
 * connections (its keep-alive lasts seconds, chunks close every 30 s), so the endpoints the daemon
 * is configured to talk to ({@code peers}: the S3 endpoint, K_SINK) are left out by their
 * resolved address and port as well, re-resolved every {@link #RESOLVE_NANOS}: their packets stay
 * out from the first SYN. That also leaves out other connections from this node to the very same
 * address and port (another pod's S3 traffic to the same S3 address, seen after SNAT).
 *
 * <p>Other trawl stacks on the same host (each {@code ./trawl up} records its listening ports in
 * {@link LocalStacks}) are left out by those ports, read again at every scan: a stack started
 * after this capture is left out from its next scan on, so two stacks side by side never capture
 * each other's S3 uploads, queries or API calls.
 *
 * <p>Never seen: a short connection to a peer not configured, a DNS lookup over UDP. Linux only;
 * elsewhere only the peers are left out.
 */
public final class OwnTraffic {
    /** Long enough for TIME_WAIT (60 s on Linux) to end. */
    static final long LINGER_NANOS = 70_000_000_000L;

    static final long RESOLVE_NANOS = 30_000_000_000L;
    /** How long a new connection may wait for its conntrack entry before it counts as not translated. */
    static final long CONNTRACK_WAIT_NANOS = 1_000_000_000L;
    private static final Path PROC = Path.of("/proc/self");
    private static final String LISTEN = "0A";

    /**
     * What to leave out: a connection (both ends), or the packets of one local endpoint when
     * {@code remoteAddress} is null; {@code address} is null for a socket bound to every address.
     */
    public record Endpoint(String protocol, String address, int port, String remoteAddress, int remotePort) implements Comparable<Endpoint> {
        /** One local endpoint: a listening or unconnected socket. */
        public Endpoint(String protocol, String address, int port) {
            this(protocol, address, port, null, 0);
        }

        boolean connected() {
            return remoteAddress != null;
        }

        /** Whether this local endpoint's clause matches every packet of {@code connection} (one of its ends is this). */
        boolean covers(Endpoint connection) {
            if (connected() || !protocol.equals(connection.protocol())) return false;
            return (port == connection.port() && (address == null || address.equals(connection.address())))
                    || (port == connection.remotePort() && (address == null || address.equals(connection.remoteAddress())));
        }

        String bpf() {
            String proto = protocol + " port " + port;
            if (connected()) {
                String hosts = address.equals(remoteAddress) ? "host " + address : "host " + address + " and host " + remoteAddress;
                return "(" + hosts + " and " + proto + " and " + protocol + " port " + remotePort + ")";
            }
            return address == null ? proto : "(host " + address + " and " + proto + ")";
        }

        @Override
        public int compareTo(Endpoint o) {
            return bpf().compareTo(o.bpf());
        }
    }

    private record Seen(long generation, long lastNanos) {}

    private final Map<Endpoint, Seen> seen = new HashMap<>();
    /** Connections looked up in conntrack: the pair the wire carries when netfilter translates them, else none. */
    private final Map<Endpoint, Set<Endpoint>> translated = new HashMap<>();
    /** Connections whose conntrack entry has not shown up yet, with when they were first seen. */
    private final Map<Endpoint, Long> untranslated = new HashMap<>();
    private final Path conntrack;
    private final List<URI> peers;
    private final LocalStacks stacks;
    private long generation;
    private long resolvedNanos;
    private Set<Endpoint> resolved = Set.of();

    /** This process's sockets only. */
    public OwnTraffic() {
        this(List.of());
    }

    /** This process's sockets, and every connection to {@code peers} (http or https URIs; others are ignored). */
    public OwnTraffic(List<URI> peers) {
        this(peers, null);
    }

    /** As {@link #OwnTraffic(List)}, and the ports every stack in {@code stacks} listens on (null: none). */
    public OwnTraffic(List<URI> peers, LocalStacks stacks) {
        this(peers, PROC.resolve("net").resolve("nf_conntrack"), stacks);
    }

    OwnTraffic(List<URI> peers, Path conntrack, LocalStacks stacks) {
        this.peers = List.copyOf(peers);
        this.conntrack = conntrack;
        this.stacks = stacks;
    }

    /**
     * Scans the process's sockets. Returns true when the set of endpoints to leave out changed
     * (new ones, or ones whose linger ended).
     */
    public synchronized boolean refresh() {
        long now = System.nanoTime();
        generation++;
        boolean changed = false;
        Set<Endpoint> current = new HashSet<>(scan());
        current.addAll(translations(current, now));
        current.addAll(peers(now));
        if (stacks != null) for (int port : stacks.ports()) current.add(new Endpoint("tcp", null, port));
        // a connection to a peer or to one of our listeners is left out already: no clause of its own,
        // so the S3 client's coming and going connections do not change the program (every change
        // costs libpcap a moment in which it captures nothing, see LiveCapture)
        Set<Endpoint> local = current.stream().filter(e -> !e.connected()).collect(Collectors.toSet());
        current.removeIf(e -> e.connected() && local.stream().anyMatch(l -> l.covers(e)));
        for (Endpoint e : current) {
            Seen before = seen.put(e, new Seen(before(e, generation), now));
            if (before == null) changed = true;
        }
        changed |= seen.values().removeIf(s -> now - s.lastNanos() > LINGER_NANOS);
        translated.keySet().retainAll(seen.keySet());
        untranslated.keySet().retainAll(current);
        return changed;
    }

    /**
     * The pairs the wire carries for connections that netfilter translates. The table is read only
     * while a connection is new (a connection keeps its translation for life), and not at all
     * without conntrack (then nothing is translated).
     */
    private Set<Endpoint> translations(Set<Endpoint> current, long now) {
        List<Endpoint> unknown = current.stream().filter(e -> e.connected() && !translated.containsKey(e)).toList();
        if (!unknown.isEmpty()) {
            Map<Endpoint, Endpoint> table = conntrack(conntrack);
            for (Endpoint e : unknown) {
                Endpoint wire = table.get(e);
                long firstSeen = untranslated.computeIfAbsent(e, k -> now);
                // an entry exists from the connection's first packet; without one soon, it is not tracked
                if (wire != null || table.isEmpty() || now - firstSeen >= CONNTRACK_WAIT_NANOS) {
                    translated.put(e, wire == null || wire.equals(e) ? Set.of() : Set.of(wire));
                    untranslated.remove(e);
                }
            }
        }
        Set<Endpoint> out = new HashSet<>();
        for (Endpoint e : current) out.addAll(translated.getOrDefault(e, Set.of()));
        return out;
    }

    /**
     * The conntrack table as socket pair → wire pair, both ways: for a connection this host opened,
     * the original tuple is the socket's and the reply tuple (reversed) what the wire carries after
     * NAT; for one it accepted, the reverse. Empty when there is no table (no netfilter NAT) or it
     * cannot be read.
     */
    static Map<Endpoint, Endpoint> conntrack(Path table) {
        List<String> lines;
        try {
            lines = Files.readAllLines(table);
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        Map<Endpoint, Endpoint> out = new HashMap<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3 || !(f[2].equals("tcp") || f[2].equals("udp"))) continue;
            List<String> src = new java.util.ArrayList<>(), dst = new java.util.ArrayList<>(), sport = new java.util.ArrayList<>(), dport = new java.util.ArrayList<>();
            for (String field : f) {
                if (field.startsWith("src=")) src.add(field.substring(4));
                else if (field.startsWith("dst=")) dst.add(field.substring(4));
                else if (field.startsWith("sport=")) sport.add(field.substring(6));
                else if (field.startsWith("dport=")) dport.add(field.substring(6));
            }
            if (src.size() < 2 || dst.size() < 2 || sport.size() < 2 || dport.size() < 2) continue;
            try {
                Endpoint original = pair(f[2], src.get(0), sport.get(0), dst.get(0), dport.get(0));
                Endpoint reply = pair(f[2], src.get(1), sport.get(1), dst.get(1), dport.get(1));
                Endpoint replyReversed = new Endpoint(reply.protocol(), reply.remoteAddress(), reply.remotePort(), reply.address(), reply.port());
                out.put(original, replyReversed);
                out.put(reply, new Endpoint(original.protocol(), original.remoteAddress(), original.remotePort(), original.address(), original.port()));
            } catch (RuntimeException | UnknownHostException unreadable) {
                // a line in a format this does not know: that connection only
            }
        }
        return out;
    }

    private static Endpoint pair(String protocol, String from, String fromPort, String to, String toPort) throws UnknownHostException {
        // the same spelling as the socket tables' (InetAddress), whatever form the kernel prints
        return new Endpoint(protocol, InetAddress.getByName(from).getHostAddress(), Integer.parseInt(fromPort),
                InetAddress.getByName(to).getHostAddress(), Integer.parseInt(toPort));
    }

    /** The peers' addresses, looked up again when the last lookup is older than {@link #RESOLVE_NANOS}. */
    private Set<Endpoint> peers(long now) {
        if (peers.isEmpty() || (resolvedNanos != 0 && now - resolvedNanos < RESOLVE_NANOS)) return resolved;
        resolvedNanos = now;
        Set<Endpoint> out = new HashSet<>();
        for (URI peer : peers) {
            String host = peer.getHost();
            if (host == null) continue;
            int port = peer.getPort() > 0 ? peer.getPort() : "https".equalsIgnoreCase(peer.getScheme()) ? 443 : "http".equalsIgnoreCase(peer.getScheme()) ? 80 : -1;
            if (port < 0) continue;
            try {
                for (InetAddress a : InetAddress.getAllByName(host)) out.add(new Endpoint("tcp", a.getHostAddress(), port));
            } catch (UnknownHostException e) {
                // not resolvable now: the client cannot reach it either; looked up again next time
            }
        }
        resolved = out;
        return out;
    }

    private long before(Endpoint e, long fallback) {
        Seen s = seen.get(e);
        return s == null ? fallback : s.generation();
    }

    /** A mark to compare with later: endpoints first seen after it are {@link #newSince new}. */
    public synchronized long mark() {
        return generation;
    }

    /** Whether an endpoint now left out was first seen after {@code mark}. */
    public synchronized boolean newSince(long mark) {
        return seen.values().stream().anyMatch(s -> s.generation() > mark);
    }

    /** The BPF expression matching every endpoint left out, or empty when there is none. */
    public synchronized String bpf() {
        return new TreeSet<>(seen.keySet()).stream().map(Endpoint::bpf).collect(Collectors.joining(" or "));
    }

    public synchronized Set<Endpoint> endpoints() {
        return Set.copyOf(seen.keySet());
    }

    /** {@code base} (the user's filter with the fixed ports cut out) without this process's traffic. */
    public static String compose(String base, String own) {
        if (own == null || own.isBlank()) return base == null ? "" : base;
        if (base == null || base.isBlank()) return "not (" + own + ")";
        return "(" + base + ") and not (" + own + ")";
    }

    /** This process's sockets with a local port, now. */
    static Set<Endpoint> scan() {
        Set<String> inodes = socketInodes();
        if (inodes.isEmpty()) return Set.of();
        Set<Endpoint> out = new HashSet<>();
        for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
            String protocol = table.startsWith("tcp") ? "tcp" : "udp";
            List<String> lines;
            try {
                lines = Files.readAllLines(PROC.resolve("net").resolve(table));
            } catch (IOException e) {
                continue; // no IPv6 here, or not Linux
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length < 10 || !inodes.contains(f[9])) continue;
                Endpoint e = endpoint(protocol, f[1], f[2], protocol.equals("tcp") && f[3].equals(LISTEN));
                if (e != null) out.add(e);
            }
        }
        return out;
    }

    private static Set<String> socketInodes() {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(PROC.resolve("fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) inodes.add(target.substring(8, target.length() - 1));
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away between the listing and the read
                }
            });
        } catch (IOException notLinux) {
            return Set.of();
        }
        return inodes;
    }

    /**
     * A socket table's local and remote {@code 0100007F:1F90} (little-endian words, as the kernel
     * prints them) as what to leave out: the connection when the socket has a remote end, else its
     * local endpoint.
     */
    static Endpoint endpoint(String protocol, String hexLocal, String hexRemote, boolean listening) {
        int port = port(hexLocal);
        InetAddress address = address(hexLocal);
        if (port == 0 || address == null) return null;
        int remotePort = port(hexRemote);
        InetAddress remote = address(hexRemote);
        if (!listening && remotePort != 0 && remote != null && !remote.isAnyLocalAddress()) {
            return new Endpoint(protocol, address.getHostAddress(), port, remote.getHostAddress(), remotePort);
        }
        // a UDP socket bound to every address receives on any of them, like a listening TCP socket
        boolean wildcard = address.isAnyLocalAddress();
        if (!listening && protocol.equals("tcp")) return null; // neither listening nor connected: no traffic
        return new Endpoint(protocol, wildcard ? null : address.getHostAddress(), port);
    }

    private static int port(String hexAddressPort) {
        return Integer.parseInt(hexAddressPort.substring(hexAddressPort.indexOf(':') + 1), 16);
    }

    private static InetAddress address(String hexAddressPort) {
        String hex = hexAddressPort.substring(0, hexAddressPort.indexOf(':'));
        byte[] raw = new byte[hex.length() / 2];
        for (int word = 0; word < raw.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                raw[word * 4 + b] = (byte) Integer.parseInt(hex, word * 8 + (3 - b) * 2, word * 8 + (3 - b) * 2 + 2, 16);
            }
        }
        try {
            return InetAddress.getByAddress(raw); // a v4-mapped IPv6 address comes back as IPv4
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
