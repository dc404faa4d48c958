package dev.trawl.capture.live;

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
 * heartbeats, the Kubernetes watch, DNS — whatever the process talks to, whichever client opened
 * it.
 *
 * <p>The sockets are this process's own ({@code /proc/self/fd} → socket inodes, matched in
 * {@code /proc/self/net/{tcp,tcp6,udp,udp6}}), identified by their <em>local</em> address and
 * port: what NAT (a Service's DNAT to the API server, for instance) leaves unchanged on the wire,
 * and what no other socket on this address uses at the same time. Listening sockets bound to every
 * address match by port alone (their accepted connections are the process's too).
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
 * <p>Never seen: a short connection to a peer not configured, a DNS lookup over UDP. Linux only;
 * elsewhere only the peers are left out.
 */
public final class OwnTraffic {
    /** Long enough for TIME_WAIT (60 s on Linux) to end. */
    static final long LINGER_NANOS = 70_000_000_000L;

    static final long RESOLVE_NANOS = 30_000_000_000L;
    private static final Path PROC = Path.of("/proc/self");
    private static final String LISTEN = "0A";

    /** A local endpoint; {@code address} is null for a socket bound to every address. */
    public record Endpoint(String protocol, String address, int port) implements Comparable<Endpoint> {
        String bpf() {
            String proto = protocol + " port " + port;
            return address == null ? proto : "(host " + address + " and " + proto + ")";
        }

        @Override
        public int compareTo(Endpoint o) {
            return bpf().compareTo(o.bpf());
        }
    }

    private record Seen(long generation, long lastNanos) {}

    private final Map<Endpoint, Seen> seen = new HashMap<>();
    private final List<URI> peers;
    private long generation;
    private long resolvedNanos;
    private Set<Endpoint> resolved = Set.of();

    /** This process's sockets only. */
    public OwnTraffic() {
        this(List.of());
    }

    /** This process's sockets, and every connection to {@code peers} (http or https URIs; others are ignored). */
    public OwnTraffic(List<URI> peers) {
        this.peers = List.copyOf(peers);
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
        current.addAll(peers(now));
        for (Endpoint e : current) {
            Seen before = seen.put(e, new Seen(before(e, generation), now));
            if (before == null) changed = true;
        }
        changed |= seen.values().removeIf(s -> now - s.lastNanos() > LINGER_NANOS);
        return changed;
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
                Endpoint e = endpoint(protocol, f[1], protocol.equals("tcp") && f[3].equals(LISTEN));
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

    /** {@code 0100007F:1F90} (little-endian words, as the kernel prints them) as an endpoint. */
    static Endpoint endpoint(String protocol, String hexAddressPort, boolean listening) {
        int colon = hexAddressPort.indexOf(':');
        int port = Integer.parseInt(hexAddressPort.substring(colon + 1), 16);
        if (port == 0) return null;
        String hex = hexAddressPort.substring(0, colon);
        byte[] raw = new byte[hex.length() / 2];
        for (int word = 0; word < raw.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                raw[word * 4 + b] = (byte) Integer.parseInt(hex, word * 8 + (3 - b) * 2, word * 8 + (3 - b) * 2 + 2, 16);
            }
        }
        InetAddress address;
        try {
            address = InetAddress.getByAddress(raw); // a v4-mapped IPv6 address comes back as IPv4
        } catch (UnknownHostException e) {
            return null;
        }
        // a UDP socket bound to every address receives on any of them, like a listening TCP socket
        boolean wildcard = address.isAnyLocalAddress();
        if (wildcard && !listening && protocol.equals("tcp")) return null; // an unconnected, unbound socket
        return new Endpoint(protocol, wildcard ? null : address.getHostAddress(), port);
    }
}
