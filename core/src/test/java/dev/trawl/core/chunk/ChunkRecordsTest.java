package dev.trawl.core.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.trawl.core.s3.S3Layout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChunkRecordsTest {

    @Test
    void metaRoundTripsThroughJsonAndNamesItsKeys() {
        String key = S3Layout.chunkKey("node-a", 1_700_000_000_000_000_001L, 1_700_000_030_000_000_002L);
        var meta = new ChunkMeta("node-a", key, 42, 4096, 1_700_000_000_000_000_001L, 1_700_000_030_000_000_002L,
                1, 262144, "ab".repeat(32), "s-1", List.of("eth0"), ChunkMeta.LIVE, 3,
                Map.of("10.0.0.7", new Workload("web-1", "shop", "web", "node-a")));
        String json = new String(meta.toJson(), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"firstNanos\" : 1700000000000000001"), json);
        assertEquals(meta, ChunkMeta.fromJson(meta.toJson()));
        assertEquals("raw/node-a/1700000000000000001-1700000030000000002.meta.json", meta.metaKey());

        var event = PcapUploaded.of(meta);
        assertEquals(key, event.key());
        assertEquals(meta.metaKey(), event.metaKey());
        assertEquals(42, event.packets());
    }

    @Test
    void heartbeatToleratesFieldsAddedByNewerWriters() {
        var hb = new Heartbeat("node-a", true, "s-1", ChunkMeta.REPLAY, 1, 2, 10, 1000, 4, 1, 7, 3, 0, 1 << 30,
                List.of("any"), null);
        String json = new String(hb.toJson(), StandardCharsets.UTF_8);
        String newer = json.replaceFirst("\\{", "{\"addedLater\": 1,");
        var read = Heartbeat.fromJson(newer.getBytes(StandardCharsets.UTF_8));
        assertEquals(hb, read);
        assertEquals(11, read.drops());
    }
}
