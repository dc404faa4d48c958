package dev.trawl.core.chunk;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** One JSON mapping for the chunk records, so writer and readers agree; unknown fields are tolerated (newer writers). */
final class ChunkJson {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ChunkJson() {}

    static byte[] write(Object value) {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
    }

    static <T> T read(byte[] json, Class<T> type) {
        return JSON.readValue(json, type);
    }
}
