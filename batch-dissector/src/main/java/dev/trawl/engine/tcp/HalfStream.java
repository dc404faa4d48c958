package dev.trawl.engine.tcp;

import java.util.ArrayList;
import java.util.List;

/** One direction of a connection: where its byte stream is, what is held back, what is left over. */
final class HalfStream {
    /**
     * A segment that arrived ahead of a hole, with the capture time of its packet: when the hole
     * is filled or declared lost, its bytes go to the parser dated by that packet, not by the one
     * that released them.
     */
    record Segment(int seq, byte[] data, long timestampNanos) {}

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

    /**
     * Where in {@code pending} the bytes of each packet begin, and that packet's capture time:
     * the parser is offered held bytes dated by the first of them, which is where its next
     * message starts, however many packets came after.
     */
    private int[] markAt = new int[0];
    private long[] markTs = new long[0];
    private int marks;
    /**
     * A message dribbled in tiny segments must not cost memory per segment: past this many marks,
     * every other one goes, and the bytes it began are dated by the packet before (a little early).
     */
    private static final int MAX_MARKS = 256;

    int detectAttempts;
    long detectRejected;

    /** The destination port of this direction's bytes. */
    final int dstPort;

    HalfStream(int dstPort) {
        this.dstPort = dstPort;
    }

    /** Capture time of the first byte in {@code pending}; meaningful while {@code pendingLen > 0}. */
    long pendingSince() {
        return markTs[0];
    }

    /** How many packets' bytes {@code pending} holds, as far as their marks tell them apart. */
    int marks() {
        return pendingLen > 0 ? marks : 0;
    }

    /** Where the bytes of the {@code i}th packet held begin in {@code pending}. */
    int markAt(int i) {
        return markAt[i];
    }

    long markTs(int i) {
        return markTs[i];
    }

    /** The capture time of the packet that brought the byte at {@code offset} of {@code pending}. */
    long timestampAt(int offset) {
        int i = 0;
        while (i + 1 < marks && markAt[i + 1] <= offset) i++;
        return markTs[i];
    }

    /** Bytes captured at {@code timestampNanos} are appended to {@code pending} at offset {@code at}. */
    void markAppend(int at, long timestampNanos) {
        if (at == 0) marks = 0;
        if (marks > 0 && markTs[marks - 1] == timestampNanos) return;
        if (marks == MAX_MARKS) {
            for (int i = 1; i < marks / 2; i++) {
                markAt[i] = markAt[2 * i];
                markTs[i] = markTs[2 * i];
            }
            marks /= 2;
        }
        if (marks == markAt.length) {
            int cap = Math.min(MAX_MARKS, Math.max(4, marks * 2));
            markAt = java.util.Arrays.copyOf(markAt, cap);
            markTs = java.util.Arrays.copyOf(markTs, cap);
        }
        markAt[marks] = at;
        markTs[marks] = timestampNanos;
        marks++;
    }

    /** The first {@code consumed} bytes of {@code pending} are gone: the rest moves to offset 0. */
    void markConsumed(int consumed) {
        int first = 0;
        while (first + 1 < marks && markAt[first + 1] <= consumed) first++;
        int kept = marks - first;
        System.arraycopy(markAt, first, markAt, 0, kept);
        System.arraycopy(markTs, first, markTs, 0, kept);
        marks = kept;
        markAt[0] = 0;
        for (int i = 1; i < marks; i++) markAt[i] -= consumed;
    }

    void insert(Segment s) {
        int i = outOfOrder.size();
        while (i > 0 && outOfOrder.get(i - 1).seq() - s.seq() > 0) i--;
        outOfOrder.add(i, s);
        outOfOrderBytes += s.data().length;
    }
}
