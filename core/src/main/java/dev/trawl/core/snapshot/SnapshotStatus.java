package dev.trawl.core.snapshot;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A snapshot's lifecycle (the seed's "Snapshot Lifecycle"): in progress until assembled, then completed or failed. */
public enum SnapshotStatus {
    @JsonProperty("in_progress") IN_PROGRESS("in_progress"),
    @JsonProperty("completed") COMPLETED("completed"),
    @JsonProperty("failed") FAILED("failed");

    private final String wire;

    SnapshotStatus(String wire) {
        this.wire = wire;
    }

    /** The value in the API and in manifest.json. */
    public String wire() {
        return wire;
    }
}
