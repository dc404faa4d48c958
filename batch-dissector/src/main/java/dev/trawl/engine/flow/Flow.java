package dev.trawl.engine.flow;

import dev.trawl.core.chunk.Workload;
import java.util.List;

/**
 * One TCP connection or UDP flow as the engine saw it, a row of the {@code flows} table. The
 * source (the client) is the end that sent the first SYN (or, without one, the first packet);
 * "to server" counts what it sent; an end's workload is {@link #UNKNOWN} when no table names it. TCP analysis counts follow tshark's {@code tcp.analysis.*} flags.
 */
public record Flow(
        String id,
        String node,
        String transport,
        String srcIp, int srcPort, Workload src,
        String dstIp, int dstPort, Workload dst,
        long firstTsNanos, long lastTsNanos,
        long packetsToServer, long bytesToServer,
        long packetsToClient, long bytesToClient,
        long handshakeRttNanos,
        long retransmissions, long outOfOrder, long duplicateAcks, long zeroWindows,
        long resetsByClient, long resetsByServer,
        String close,
        long gaps,
        String protocol,
        List<String> callIds) {

    /** How a flow ended: a FIN from both ends, a RST, or still open when the input ended (or UDP). */
    public static final String CLOSE_FIN = "fin";
    public static final String CLOSE_RST = "rst";
    public static final String CLOSE_OPEN = "open";

    public static final Workload UNKNOWN = new Workload("", "", "", "");

    public long packets() {
        return packetsToServer + packetsToClient;
    }

    public long bytes() {
        return bytesToServer + bytesToClient;
    }
}
