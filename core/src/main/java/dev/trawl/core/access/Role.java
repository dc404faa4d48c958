package dev.trawl.core.access;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a caller may do; each role includes every one before it. A viewer sees metadata and calls
 * without header values or bodies, an analyst the payloads and the PCAPs, an operator starts and
 * stops work, an admin deletes evidence and reads the audit trail.
 */
public enum Role {
    VIEWER, ANALYST, OPERATOR, ADMIN;

    /** The name used in token files, role maps, answers and the audit trail. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean includes(Role other) {
        return compareTo(other) >= 0;
    }

    /** This role and every role it includes. */
    public List<Role> granted() {
        return Arrays.stream(values()).filter(this::includes).toList();
    }

    public static Optional<Role> parse(String id) {
        if (id == null) return Optional.empty();
        return Arrays.stream(values()).filter(r -> r.id().equals(id.strip().toLowerCase(Locale.ROOT))).findFirst();
    }
}
