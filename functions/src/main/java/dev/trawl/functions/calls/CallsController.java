package dev.trawl.functions.calls;

import dev.trawl.functions.access.Callers;
import dev.trawl.functions.routes.Route;
import dev.trawl.functions.routes.RouteHandler;
import dev.trawl.functions.routes.Routes;
import dev.trawl.functions.web.ApiException;
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

    /** The answer as it is for a caller holding the route's payload role; without header values and payloads for anyone else. */
    private static Object forCaller(String route, Object answer) {
        return Callers.current().may(payloadRole(route)) ? answer : ViewerRedaction.redact(answer);
    }

    private static dev.trawl.functions.routes.Role payloadRole(String route) {
        return Routes.named(route).map(Route::payloadRole).orElseThrow();
    }

    /** A viewer filtering on header values or bodies would learn them a match at a time. */
    private static void requireMayFilterOn(String kfl) {
        if (!Callers.current().may(payloadRole("list_api_calls")) && ViewerRedaction.readsPayload(kfl)) {
            throw new ApiException.Forbidden("filtering on header values or bodies needs the role '" + payloadRole("list_api_calls").id() + "'");
        }
    }

    @RouteHandler("list_api_calls")
    public Object list(
            @RequestParam(name = "kfl", required = false) String kfl,
            @RequestParam(name = "db", required = false) String db,
            @RequestParam(name = "limit", required = false) String limit,
            @RequestParam(name = "start", required = false) String start,
            @RequestParam(name = "end", required = false) String end,
            @RequestParam(name = "format", required = false) String format) {
        requireMayFilterOn(kfl);
        return forCaller("list_api_calls", calls.list(new CallsQuery(kfl, db, limit, start, end, format)));
    }

    @RouteHandler("get_api_stats")
    public Calls.Stats stats(
            @RequestParam(name = "kfl", required = false) String kfl,
            @RequestParam(name = "db", required = false) String db,
            @RequestParam(name = "group_by", required = false) String groupBy,
            @RequestParam(name = "limit", required = false) String limit,
            @RequestParam(name = "start", required = false) String start,
            @RequestParam(name = "end", required = false) String end) {
        requireMayFilterOn(kfl);
        return calls.stats(kfl, db, groupBy, limit, start, end);
    }

    @RouteHandler("get_api_call")
    public Object details(
            @PathVariable("id") String id,
            @RequestParam(name = "db", required = false) String db,
            @RequestParam(name = "max_payload", required = false) String maxPayload) {
        return forCaller("get_api_call", calls.details(new CallQuery(id, db, maxPayload)));
    }
}
