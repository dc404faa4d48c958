package dev.trawl.core.audit;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * One line of the audit trail: who ({@code actor}, with the {@code role} they held and how they
 * were authenticated: {@code token}, {@code oidc} or {@code none}) did what ({@code action}, on
 * {@code target}), how it ended ({@code outcome}: {@code done}, {@code refused} or {@code failed},
 * with the HTTP {@code status}), when, and from where ({@code client}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AuditRecord(
        @JsonProperty("time") String time,
        @JsonProperty("actor") String actor,
        @JsonProperty("role") String role,
        @JsonProperty("auth") String auth,
        @JsonProperty("action") String action,
        @JsonProperty("target") String target,
        @JsonProperty("outcome") String outcome,
        @JsonProperty("status") int status,
        @JsonProperty("client") String client) {

    public AuditRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(action, "action");
        actor = actor == null ? "" : actor;
        role = role == null ? "" : role;
        auth = auth == null ? "" : auth;
        target = target == null ? "" : target;
        client = client == null ? "" : client;
        outcome = outcome == null ? outcomeOf(status) : outcome;
    }

    public static String outcomeOf(int status) {
        if (status == 401 || status == 403) return "refused";
        return status >= 200 && status < 400 ? "done" : "failed";
    }
}
