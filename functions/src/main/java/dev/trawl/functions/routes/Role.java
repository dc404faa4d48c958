package dev.trawl.functions.routes;

import java.util.Locale;

/**
 * What a caller may do. Each role includes the ones before it: a viewer sees capture status,
 * boundaries, snapshot and dissection metadata, databases and calls without header values or
 * bodies; an analyst sees full calls and exports PCAP; an operator creates snapshots and
 * dissections and stops them; an admin deletes and reads the audit. {@link #ANYONE} needs no
 * credentials at all (liveness).
 */
public enum Role {
    ANYONE, VIEWER, ANALYST, OPERATOR, ADMIN;

    /** Whether a caller holding this role may use what {@code needed} guards. */
    public boolean includes(Role needed) {
        return compareTo(needed) >= 0;
    }

    /** The name a token or a configuration uses: {@code viewer}, {@code analyst}, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
