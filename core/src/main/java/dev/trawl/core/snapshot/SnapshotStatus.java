package dev.trawl.core.snapshot;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A snapshot's lifecycle (the seed's "Snapshot Lifecycle"): in progress until assembled, then
 * completed or failed; pending first while as many other snapshots as may be assembled at once
 * ({@code TRAWL_SNAPSHOT_MAX_ASSEMBLIES}) are in progress.
 */
public enum SnapshotStatus {
    @JsonProperty("pending") PENDING("pending"),
    @JsonProperty("in_progress") IN_PROGRESS("in_progress"),
    @JsonProperty("completed") COMPLETED("completed"),
    @JsonProperty("failed") FAILED("failed");

    private final String wire;

    SnapshotStatus(String wire) {
        this.wire = wire;
    }

    /** Whether it is still to be assembled (pending or in progress): nothing to export or dissect yet. */
    public boolean isUnfinished() {
        return this == PENDING || this == IN_PROGRESS;
    }

    /** The status in words, for messages ("in progress"). */
    public String words() {
        return wire.replace('_', ' ');
    }

    /** The value in the API and in manifest.json. */
    public String wire() {
        return wire;
    }
}
