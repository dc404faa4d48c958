package dev.trawl.functions.snapshots;

import dev.trawl.functions.routes.RouteHandler;
import dev.trawl.functions.web.FunctionGroup;
import java.util.Map;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /mcp/snapshots/:name/verify}: every object re-read and its sha256 checked. */
@RestController
@FunctionGroup("snapshots")
public class SnapshotEvidenceController {
    private final SnapshotEvidence evidence;

    public SnapshotEvidenceController(SnapshotEvidence evidence) {
        this.evidence = evidence;
    }

    @RouteHandler("verify_snapshot")
    public Map<String, Object> verify(@PathVariable("name") String name) {
        return evidence.verify(name);
    }
}
