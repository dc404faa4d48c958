package dev.trawl.engine.tcp;

/**
 * The two endpoints of a connection, smaller first, so both directions find the same entry.
 * The table probes with one mutable key and stores an immutable copy only for a new connection.
 */
final class ConnectionKey {
    long aHi, aLo, bHi, bLo;
    int aPort, bPort;
    private int hash;

    /** Sets the key from a segment's endpoints; returns true when the source is endpoint A. */
    boolean set(long sHi, long sLo, int sPort, long dHi, long dLo, int dPort) {
        boolean srcFirst = compare(sHi, sLo, sPort, dHi, dLo, dPort) <= 0;
        if (srcFirst) {
            aHi = sHi; aLo = sLo; aPort = sPort; bHi = dHi; bLo = dLo; bPort = dPort;
        } else {
            aHi = dHi; aLo = dLo; aPort = dPort; bHi = sHi; bLo = sLo; bPort = sPort;
        }
        long h = aHi * 0x9E3779B97F4A7C15L ^ aLo * 0xC2B2AE3D27D4EB4FL ^ bHi * 0x165667B19E3779F9L
                ^ bLo * 0x27D4EB2F165667C5L ^ ((long) aPort << 16 | bPort) * 0xFF51AFD7ED558CCDL;
        hash = (int) (h ^ (h >>> 32));
        return srcFirst;
    }

    private static int compare(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        int c = Long.compareUnsigned(aHi, bHi);
        if (c != 0) return c;
        c = Long.compareUnsigned(aLo, bLo);
        if (c != 0) return c;
        return Integer.compare(aPort, bPort);
    }

    ConnectionKey copy() {
        ConnectionKey k = new ConnectionKey();
        k.aHi = aHi; k.aLo = aLo; k.aPort = aPort; k.bHi = bHi; k.bLo = bLo; k.bPort = bPort; k.hash = hash;
        return k;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionKey k && k.aLo == aLo && k.bLo == bLo && k.aPort == aPort && k.bPort == bPort
                && k.aHi == aHi && k.bHi == bHi;
    }
}
