package dev.trawl.functions.snapshots;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.chunk.HeartbeatStore;
import dev.trawl.core.chunk.RawRangeStore;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotManifest.SnapshotObject;
import dev.trawl.core.snapshot.SnapshotManifest.Window;
import dev.trawl.core.snapshot.SnapshotStatus;
import dev.trawl.core.snapshot.SnapshotStore;
import dev.trawl.functions.capture.CaptureStatus;
import dev.trawl.core.chunk.ChunkStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Damage in {@code raw/} does not fail a snapshot: on a real S3 (s3proxy) and a real capture, three
 * of four chunks are spoiled under metas that still look right (bad magic, cut short, one byte
 * changed); the snapshot completes with the sound chunk, and its details name each spoiled one
 * with the reason.
 */
class DamagedChunksTest extends OnRealS3 {
    static final Path CAPTURE = RawChunks.capture("PcapPlusPlus/example.pcap");
    @Test
    void aSnapshotOverDamagedChunksCompletesWithoutThemAndSaysWhich() throws Exception {
        String node = "node-damaged";
        long endMs = System.currentTimeMillis() - 120_000;
        var chunks = RawChunks.write(s3, BUCKET, work.resolve("chunks"), node, CAPTURE, 4,
                RawChunks.evenlyFrom((endMs - 50_000) * 1_000_000L, 1_000_000L));
        var rawRanges = new RawRangeStore(s3, BUCKET);
        for (var c : chunks) rawRanges.record(S3Layout.parseChunkKey(c.key()).orElseThrow());

        byte[] badMagic = Files.readAllBytes(chunks.get(0).file());
        badMagic[0] = 'X';
        badMagic[1] = 'X';
        byte[] whole = Files.readAllBytes(chunks.get(1).file());
        byte[] cutShort = Arrays.copyOf(whole, whole.length - 7);
        byte[] oneByteChanged = Files.readAllBytes(chunks.get(2).file());
        oneByteChanged[oneByteChanged.length - 1] ^= 0x55; // in the last packet's data: every record still parses
        s3.putObject(b -> b.bucket(BUCKET).key(chunks.get(0).key()), RequestBody.fromBytes(badMagic));
        s3.putObject(b -> b.bucket(BUCKET).key(chunks.get(1).key()), RequestBody.fromBytes(cutShort));
        s3.putObject(b -> b.bucket(BUCKET).key(chunks.get(2).key()), RequestBody.fromBytes(oneByteChanged));

        Clock afterTheWindow = Clock.fixed(Instant.ofEpochMilli(endMs + 600_000), ZoneOffset.UTC);
        var capture = new CaptureStatus(new ChunkStore(s3, BUCKET), new HeartbeatStore(s3, BUCKET), rawRanges, afterTheWindow,
                Duration.ofSeconds(60), Duration.ofHours(24));
        var store = new SnapshotStore(s3, BUCKET);
        var assembler = new SnapshotAssembler(s3, BUCKET, store, capture, Duration.ofMinutes(5), 4);
        store.create(SnapshotManifest.requested("over-damage", Instant.ofEpochMilli(endMs).toString(), "2m",
                new Window(endMs - 120_000, endMs), List.of(node)));

        assertThat(assembler.assemble("over-damage")).isEqualTo(SnapshotStatus.COMPLETED);

        SnapshotManifest m = store.read("over-damage").orElseThrow().manifest();
        assertThat(m.objects()).extracting(SnapshotObject::sourceKey).containsExactly(chunks.get(3).key());
        assertThat(m.packetCount()).isEqualTo(chunks.get(3).meta().packets());
        // what was left out was not copied
        assertThat(store.listedChunks("over-damage")).hasSize(1);
        assertThat(store.objectKeys("over-damage")).contains(m.objects().getFirst().key())
                .noneMatch(k -> k.contains(chunks.get(0).key().substring(chunks.get(0).key().lastIndexOf('/') + 1)));

        var service = new SnapshotService(store, assembler, capture, new DissectionStatusStore(s3, BUCKET), null, Duration.ofHours(24), Duration.ofHours(24));
        var details = service.details("over-damage");
        assertThat(details.status()).isEqualTo("completed");
        var skipped = details.skippedChunks();
        assertThat(skipped).extracting(SnapshotAnswers.Skipped::key).containsExactly(chunks.get(0).key(), chunks.get(1).key(), chunks.get(2).key());
        assertThat(skipped.get(0).reason()).startsWith("BAD_MAGIC");
        assertThat(skipped.get(1).reason()).startsWith("TRUNCATED");
        assertThat(skipped.get(2).reason()).startsWith("SHA256_MISMATCH").contains(chunks.get(2).meta().sha256());
        assertThat(skipped).allSatisfy(s -> assertThat(s.node()).isEqualTo(node));
    }
}
