package dev.trawl.functions.snapshots;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.chunk.HeartbeatStore;
import dev.trawl.core.chunk.RawRangeStore;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotManifest.Window;
import dev.trawl.core.snapshot.SnapshotStatus;
import dev.trawl.core.snapshot.SnapshotStore;
import dev.trawl.functions.capture.CaptureStatus;
import dev.trawl.core.chunk.ChunkStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * At most {@code TRAWL_SNAPSHOT_MAX_ASSEMBLIES} snapshots are in progress at once (real S3 through
 * s3proxy, a real capture): a snapshot requested beyond that waits, {@code pending}, and starts on
 * its own when one in progress finishes.
 */
class SnapshotTurnsTest extends OnRealS3 {
    @Test
    void beyondTheLimitASnapshotIsPendingUntilOneInProgressFinishes() throws Exception {
        String node = "node-turns";
        long endMs = System.currentTimeMillis() - 3_600_000;
        var chunk = RawChunks.write(s3, BUCKET, work.resolve("chunks"), node, RawChunks.capture("arkime/v6-http.pcap"), 1,
                RawChunks.evenlyFrom((endMs - 30_000) * 1_000_000L, 1_000_000L)).getFirst();
        var rawRanges = new RawRangeStore(s3, BUCKET);
        rawRanges.record(S3Layout.parseChunkKey(chunk.key()).orElseThrow());
        AtomicLong nowMs = new AtomicLong(endMs - 10_000); // inside the window: the first cannot complete yet
        Clock clock = new Clock() {
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            public Clock withZone(ZoneId zone) {
                return this;
            }

            public Instant instant() {
                return Instant.ofEpochMilli(nowMs.get());
            }
        };
        var capture = new CaptureStatus(new ChunkStore(s3, BUCKET), new HeartbeatStore(s3, BUCKET), rawRanges, clock,
                Duration.ofSeconds(60), Duration.ofHours(24));
        var store = new SnapshotStore(s3, BUCKET);
        var assembler = new SnapshotAssembler(s3, BUCKET, store, capture, Duration.ofMinutes(5), 1);
        var window = new Window(endMs - 60_000, endMs);

        assertThat(assembler.hasFreeSlot()).isTrue();
        request(store, "first", "2026-01-01T00:00:00Z", window, SnapshotStatus.IN_PROGRESS);
        assertThat(assembler.assemble("first")).isEqualTo(SnapshotStatus.IN_PROGRESS);

        assertThat(assembler.hasFreeSlot()).isFalse();
        request(store, "second", "2026-01-01T00:00:01Z", window, SnapshotStatus.PENDING);
        request(store, "third", "2026-01-01T00:00:02Z", window, SnapshotStatus.PENDING);
        assertThat(assembler.assemble("third")).isEqualTo(SnapshotStatus.PENDING);
        assertThat(assembler.assemble("second")).isEqualTo(SnapshotStatus.PENDING);
        assertThat(store.read("second").orElseThrow().manifest().objects()).isEmpty();

        nowMs.set(endMs + 600_000); // the window and its grace are over
        assertThat(assembler.assemble("first")).isEqualTo(SnapshotStatus.COMPLETED);
        // the oldest waiting took the free slot and, its window being over, completed; then the next
        assertThat(store.read("second").orElseThrow().manifest().status()).isEqualTo(SnapshotStatus.COMPLETED);
        assertThat(store.read("third").orElseThrow().manifest().status()).isEqualTo(SnapshotStatus.COMPLETED);
        assertThat(store.read("third").orElseThrow().manifest().packetCount()).isEqualTo(chunk.meta().packets());
        assertThat(store.pending()).isEmpty();
    }

    static void request(SnapshotStore store, String name, String createdAt, Window window, SnapshotStatus status) {
        store.create(SnapshotManifest.requested(name, createdAt, "1m", window, List.of()).withStatus(status));
        store.markPending(name);
    }
}
