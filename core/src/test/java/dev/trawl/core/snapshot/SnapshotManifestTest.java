package dev.trawl.core.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.core.Names;
import dev.trawl.core.snapshot.SnapshotManifest.SnapshotObject;
import dev.trawl.core.snapshot.SnapshotManifest.Window;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotManifestTest {

    @Test
    void roundTripsThroughJsonWithTheWireNames() {
        var window = new Window(1_706_745_000_000L, 1_706_748_600_000L);
        var manifest = SnapshotManifest.requested("incident-001", "2025-01-15T10:30:00Z", "1h", window, List.of("worker-1"))
                .withObjects(List.of(
                        new SnapshotObject("worker-1", "snapshots/incident-001/worker-1/a.pcap", "raw/worker-1/a.pcap",
                                "ab", 10, 1000, 1L, 2L, 1, 10, 976),
                        new SnapshotObject("worker-2", "snapshots/incident-001/worker-2/b.pcap", "raw/worker-2/b.pcap",
                                "cd", 5, 500, 3L, 4L, null, 4, -1)), window, "clipped")
                .completed("2025-01-15T10:31:00Z");

        String json = new String(manifest.toJson(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"status\" : \"completed\"", "\"start_ts\" : 1706745000000", "\"packet_count\" : 10",
                "\"created_at\" : \"2025-01-15T10:30:00Z\"", "\"sha256\" : \"ab\"");
        var back = SnapshotManifest.fromJson(manifest.toJson());
        assertThat(back).isEqualTo(manifest);
        assertThat(back.packetCount()).isEqualTo(14);
        assertThat(back.pcapExportSize(List.of())).isEqualTo(-1);
        assertThat(back.pcapExportSize(List.of("worker-1"))).isEqualTo(24 + 976);
        assertThat(back.sizeBytes()).isEqualTo(1500);
        assertThat(back.nodeCount()).isEqualTo(2);
    }

    @Test
    void ignoresFieldsItDoesNotKnowSoOlderReadersSurviveNewerWriters() {
        String json = """
                {"version":1,"name":"s1","status":"failed","created_at":"x","window":{"start_ts":1,"end_ts":2},
                 "error":"no data","something_new":{"a":1}}""";
        var m = SnapshotManifest.fromJson(json.getBytes(StandardCharsets.UTF_8));
        assertThat(m.status()).isEqualTo(SnapshotStatus.FAILED);
        assertThat(m.error()).isEqualTo("no data");
        assertThat(m.objects()).isEmpty();
        assertThat(m.includesNode("any")).isTrue();
    }

    @Test
    void refusesAnInvalidNameAndAnEmptyWindow() {
        assertThatThrownBy(() -> SnapshotManifest.requested("../x", "t", "1h", new Window(1, 2), null))
                .isInstanceOf(Names.InvalidNameException.class);
        assertThatThrownBy(() -> new Window(5, 4)).isInstanceOf(IllegalArgumentException.class);
    }
}
