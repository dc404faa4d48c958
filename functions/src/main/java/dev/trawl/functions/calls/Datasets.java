package dev.trawl.functions.calls;

import java.util.Optional;

import dev.trawl.core.Names;
import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.functions.web.ApiException;

/**
 * Which data a {@code db} parameter names: none (or {@code realtime}) is the real-time data; else
 * {@code <snapshot>/<dissection>}, which must exist (404) and be completed (409 with why not).
 */
public final class Datasets {

    public static final String REALTIME = S3Layout.REALTIME_DATASET;

    private final DissectionStatusStore statuses;

    public Datasets(DissectionStatusStore statuses) {
        this.statuses = statuses;
    }

    /** The {@code dataset} column value the calls of {@code db} carry. */
    public String resolve(String db) {
        if (db == null || db.isBlank() || db.strip().equals(REALTIME)) {
            return REALTIME;
        }
        String[] parts = db.strip().split("/", -1);
        if (parts.length != 2) {
            throw new ApiException.BadRequest("db must be <snapshot>/<dissection> (or empty for real time), not '" + db + "'");
        }
        String snapshot = Names.require("snapshot", parts[0]);
        String name = Names.require("dissection", parts[1]);
        Optional<DissectionStatus> status = statuses.find(snapshot, name);
        if (status.isEmpty()) {
            throw new ApiException.NotFound("no dissection '" + name + "' of snapshot '" + snapshot + "' (GET /mcp/databases lists them)");
        }
        DissectionStatus s = status.get();
        if (s.status() != State.COMPLETED) {
            throw new ApiException.Conflict(notReady(s));
        }
        return S3Layout.dataset(snapshot, name);
    }

    private static String notReady(DissectionStatus s) {
        String who = "dissection '" + s.name() + "' of snapshot '" + s.snapshot() + "'";
        return switch (s.status()) {
            case FAILED -> who + " failed" + (s.errors().isEmpty() ? "" : ": " + s.errors().getFirst()) + "; start a new one to query it";
            case CANCELLED -> who + " was cancelled; start a new one to query it";
            default -> who + " is " + s.status().value() + " (" + s.progress() + "%); query it when it is completed";
        };
    }
}
