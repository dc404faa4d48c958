package dev.trawl.functions.calls;

import dev.trawl.functions.routes.RouteHandler;
import dev.trawl.functions.web.FunctionGroup;

import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The HTTP face of {@link CallsService}; parameters arrive as text so that bad ones get a 400 that names them. */
@RestController
@FunctionGroup("calls")
public class CallsController {

    private final CallsService calls;

    public CallsController(CallsService calls) {
        this.calls = calls;
    }

    @RouteHandler("list_api_calls")
    public Calls.Page list(
            @RequestParam(name = "kfl", required = false) String kfl,
            @RequestParam(name = "db", required = false) String db,
            @RequestParam(name = "limit", required = false) String limit,
            @RequestParam(name = "start", required = false) String start,
            @RequestParam(name = "end", required = false) String end,
            @RequestParam(name = "format", required = false) String format) {
        return calls.list(new CallsQuery(kfl, db, limit, start, end, format));
    }

    @RouteHandler("get_api_call")
    public Calls.Details details(
            @PathVariable("id") String id,
            @RequestParam(name = "db", required = false) String db,
            @RequestParam(name = "max_payload", required = false) String maxPayload) {
        return calls.details(new CallQuery(id, db, maxPayload));
    }
}
