package dev.trawl.core.chunk;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A node's data: first packet of its oldest chunk to last packet of its newest, ns since the
 * epoch. Also the JSON of {@code nodes/<node>/raw-range.json}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RawRange(@JsonProperty("node") String node, @JsonProperty("oldest_ns") long oldestNanos,
        @JsonProperty("newest_ns") long newestNanos) {
    public long oldestMs() {
        return Math.floorDiv(oldestNanos, 1_000_000L);
    }

    public long newestMs() {
        return Math.floorDiv(newestNanos, 1_000_000L);
    }
}
