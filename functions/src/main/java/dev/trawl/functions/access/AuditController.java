package dev.trawl.functions.access;

import dev.trawl.core.audit.AuditRecord;
import dev.trawl.functions.routes.RouteHandler;
import dev.trawl.functions.web.ApiException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /mcp/audit?since=&actor=&action=&limit=} (admin): the audit trail, oldest first. */
@RestController
public class AuditController {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    private final AuditTrail trail;

    public AuditController(AuditTrail trail) {
        this.trail = trail;
    }

    @RouteHandler("audit_trail")
    public Map<String, Object> audit(
            @RequestParam(name = "since", required = false) String since,
            @RequestParam(name = "actor", required = false) String actor,
            @RequestParam(name = "action", required = false) String action,
            @RequestParam(name = "limit", required = false) String limit) {
        Instant from = since(since);
        int max = limit(limit);
        List<AuditRecord> records;
        try {
            records = trail.read(from, r -> (actor == null || actor.equals(r.actor())) && (action == null || action.equals(r.action())), max);
        } catch (IOException | RuntimeException e) {
            throw new ApiException.Internal("the audit trail could not be read from S3", e);
        }
        var answer = new LinkedHashMap<String, Object>();
        answer.put("since", from.toString());
        answer.put("records", records);
        answer.put("truncated", records.size() >= max);
        return answer;
    }

    /** An ISO-8601 instant or milliseconds since the epoch; by default the last 24 hours. */
    private Instant since(String value) {
        if (value == null || value.isBlank()) return trail.clock().instant().minus(Duration.ofHours(24));
        try {
            return value.strip().matches("\\d{1,15}") ? Instant.ofEpochMilli(Long.parseLong(value.strip())) : Instant.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw new ApiException.BadRequest("since: '" + value + "' is neither an ISO-8601 instant (2025-01-15T10:30:00Z) nor milliseconds");
        }
    }

    private static int limit(String value) {
        if (value == null || value.isBlank()) return DEFAULT_LIMIT;
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1 && n <= MAX_LIMIT) return n;
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new ApiException.BadRequest("limit: '" + value + "' is not a number from 1 to " + MAX_LIMIT);
    }
}
