package dev.trawl.functions.calls;

import dev.trawl.core.access.Role;
import dev.trawl.functions.access.Callers;
import dev.trawl.functions.web.ApiException;
import dev.trawl.functions.web.FunctionGroup;

import org.springframework.web.bind.annotation.GetMapping;
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

    /** The answer as it is for an analyst and above; without header values and payloads for a viewer. */
    private static Object forCaller(Object answer) {
        return Callers.current().may(Role.ANALYST) ? answer : ViewerRedaction.redact(answer);
    }

    @GetMapping("/mcp/calls")
    public Object list(
            @RequestParam(name = "kfl", required = false) String kfl,
            @RequestParam(name = "db", required = false) String db,
            @RequestParam(name = "limit", required = false) String limit,
            @RequestParam(name = "start", required = false) String start,
            @RequestParam(name = "end", required = false) String end,
            @RequestParam(name = "format", required = false) String format) {
        if (!Callers.current().may(Role.ANALYST) && ViewerRedaction.readsPayload(kfl)) {
            throw new ApiException.Forbidden("filtering on header values or bodies needs the role 'analyst'");
        }
        return forCaller(calls.list(kfl, db, limit, start, end, format));
    }

    @GetMapping("/mcp/calls/{id}")
    public Object details(
            @PathVariable("id") String id,
            @RequestParam(name = "db", required = false) String db,
            @RequestParam(name = "max_payload", required = false) String maxPayload) {
        return forCaller(calls.details(id, db, maxPayload));
    }
}
