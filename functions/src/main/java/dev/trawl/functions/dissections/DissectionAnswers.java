package dev.trawl.functions.dissections;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.functions.web.ApiException;
import java.util.List;
import java.util.Map;

/** The parameters and answers of the dissection endpoints, as their JSON has them. */
public final class DissectionAnswers {
    private DissectionAnswers() {}

    /** {@code POST /mcp/dissections}'s body: both names are required strings. */
    public record Request(String snapshot, String name) {
        public static Request from(Map<String, Object> body) {
            return new Request(text(body, "snapshot"), text(body, "name"));
        }

        private static String text(Map<String, Object> body, String field) {
            if (body == null) throw new ApiException.BadRequest("request body must be JSON {\"snapshot\":..., \"name\":...}");
            Object v = body.get(field);
            if (v == null) throw new ApiException.BadRequest("'" + field + "' is required");
            if (!(v instanceof String s)) throw new ApiException.BadRequest("'" + field + "' must be a string");
            return s;
        }
    }

    /** The answer of a start or a stop: the dissection's status once asked. */
    public record Changed(boolean success, String snapshot, String name, String status) {}

    public record Deleted(boolean success, String snapshot, String name) {}

    public record Listing(List<Item> dissections) {}

    /** As the seed shows: a finished dissection says how much it holds, a working one how far it is. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Item(String snapshot, String name, String status, @JsonProperty("entry_count") Long entryCount, Integer progress) {}

    /** {@code GET /mcp/dissections/:snapshot/:name}. */
    public record Details(String snapshot, String name, String status, int progress, DissectionStatus.Stats stats, List<String> errors,
            List<Partition> partitions) {
        static Details of(DissectionStatus s) {
            return new Details(s.snapshot(), s.name(), s.status().value(), s.progress(), s.stats(), s.errors(),
                    s.partitions().stream().map(Partition::of).toList());
        }
    }

    /** One partition of the job (a node's chunks or a slice of them) as far as it got. */
    public record Partition(String node, String status, @JsonProperty("packets_processed") long packetsProcessed,
            @JsonProperty("entries_created") long entriesCreated, int attempts) {
        static Partition of(DissectionStatus.Partition p) {
            return new Partition(p.node(), p.status(), p.packetsProcessed(), p.entriesCreated(), p.attempts());
        }
    }

    public record Databases(List<Database> databases) {}

    /** A database {@code list_api_calls} can query: a node's real-time calls or a dissection's. */
    public sealed interface Database permits Realtime, Dissected {}

    public record Realtime(String type, String node, @JsonProperty("entry_count") long entryCount,
            @JsonProperty("first_ts") Long firstTs, @JsonProperty("last_ts") Long lastTs, List<Gap> gaps) implements Database {}

    /** A chunk the real-time lane could not dissect after its retries. */
    public record Gap(String key, String reason, int attempts) {
        static Gap of(dev.trawl.core.realtime.RealtimeProgress.Gap g) {
            return new Gap(g.key(), g.reason(), g.attempts());
        }
    }

    public record Dissected(String type, String snapshot, String name, @JsonProperty("entry_count") long entryCount, String status,
            @JsonProperty("first_ts") Long firstTs, @JsonProperty("last_ts") Long lastTs) implements Database {}
}
