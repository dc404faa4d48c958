package dev.trawl.dissect.tcp;

import java.util.ArrayList;
import java.util.List;

/** One direction of a connection: where its byte stream is, what is held back, what is left over. */
final class HalfStream {
    /** Segments that arrived ahead of a hole, sorted by sequence number. */
    record Segment(int seq, byte[] data) {}

    boolean seqKnown;
    int isn;
    int nextSeq;
    boolean finSeen;
    int finSeq;
    boolean finished;
    boolean peerAckKnown;
    int peerAck;

    final List<Segment> outOfOrder = new ArrayList<>(0);
    long outOfOrderBytes;

    /** Bytes the parser (or detection) has not consumed yet. */
    byte[] pending;
    int pendingLen;

    int detectAttempts;

    /** The destination port of this direction's bytes. */
    final int dstPort;

    HalfStream(int dstPort) {
        this.dstPort = dstPort;
    }

    void insert(Segment s) {
        int i = outOfOrder.size();
        while (i > 0 && outOfOrder.get(i - 1).seq() - s.seq() > 0) i--;
        outOfOrder.add(i, s);
        outOfOrderBytes += s.data().length;
    }
}
