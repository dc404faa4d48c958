package dev.trawl.functions.calls;

import dev.trawl.functions.routes.RouteHandler;
import dev.trawl.functions.web.FunctionGroup;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The HTTP face of {@link FlowsService}: flows hold no payloads, so every viewer sees them whole. */
@RestController
@FunctionGroup("calls")
public class FlowsController {
    private final FlowsService flows;

    public FlowsController(FlowsService flows) {
        this.flows = flows;
    }

    @RouteHandler("list_l4_flows")
    public Object list(
            @RequestParam(name = "kfl", required = false) String kfl,
            @RequestParam(name = "db", required = false) String db,
            @RequestParam(name = "aggregate", required = false) String aggregate,
            @RequestParam(name = "limit", required = false) String limit,
            @RequestParam(name = "start", required = false) String start,
            @RequestParam(name = "end", required = false) String end) {
        return flows.list(kfl, db, aggregate, limit, start, end);
    }

    @RouteHandler("get_l4_flow_summary")
    public FlowsService.Summary summary(@RequestParam(name = "db", required = false) String db) {
        return flows.summary(db);
    }
}
