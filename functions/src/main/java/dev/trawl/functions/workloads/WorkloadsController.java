package dev.trawl.functions.workloads;

import dev.trawl.core.chunk.ChunkStore;
import dev.trawl.core.snapshot.SnapshotStore;
import dev.trawl.functions.routes.RouteHandler;
import dev.trawl.functions.web.ApiException;
import dev.trawl.functions.web.FunctionGroup;
import java.time.Clock;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /mcp/workloads} and {@code GET /mcp/ips}. They read the chunks' metas beside the
 * snapshots, so they are served where snapshots are.
 */
@RestController
@FunctionGroup("snapshots")
public class WorkloadsController {
    private final WorkloadHistory history;

    public WorkloadsController(ChunkStore chunks, SnapshotStore snapshots, Clock clock) {
        this.history = new WorkloadHistory(chunks, snapshots, clock);
    }

    @RouteHandler("list_workloads")
    public WorkloadAnswers.Workloads workloads(@RequestParam(name = "snapshot", required = false) String snapshot,
            @RequestParam(name = "db", required = false) String db,
            @RequestParam(name = "namespace", required = false) String namespace,
            @RequestParam(name = "name_regex", required = false) String nameRegex,
            @RequestParam(name = "timestamp", required = false) Long timestamp) {
        if (snapshot != null && db != null && !db.startsWith(snapshot + "/")) {
            throw new ApiException.BadRequest("give snapshot or db, not both: db=" + db + " is not a dissection of snapshot " + snapshot);
        }
        return history.workloads(snapshot != null ? snapshot : db, namespace, nameRegex, timestamp);
    }

    @RouteHandler("list_ips")
    public WorkloadAnswers.Ips ips(@RequestParam(name = "snapshot", required = false) String snapshot,
            @RequestParam(name = "ip", required = false) String ip,
            @RequestParam(name = "timestamp", required = false) Long timestamp) {
        return history.ips(snapshot, ip, timestamp);
    }
}
