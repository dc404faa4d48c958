package dev.trawl.functions.snapshots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.core.chunk.ChunkStore;
import dev.trawl.core.chunk.Heartbeat;
import dev.trawl.core.chunk.HeartbeatStore;
import dev.trawl.core.chunk.RawRangeStore;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Layout.ChunkKey;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotManifest.SnapshotObject;
import dev.trawl.core.snapshot.SnapshotManifest.Window;
import dev.trawl.core.snapshot.SnapshotStatus;
import dev.trawl.core.snapshot.SnapshotStore;
import dev.trawl.functions.capture.CaptureStatus;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Assembly racing the capture daemon, on a real S3 (s3proxy) with a real capture: a chunk that
 * lands while a snapshot is being assembled must end up in the snapshot, never be skipped by an
 * assembler that completes the snapshot on evidence newer than its own listing.
 */
class SnapshotAssemblyRaceTest extends OnRealS3 {
    static final Path CAPTURE = RawChunks.capture("arkime/v6-http.pcap"); // 55 packets
    /** Runs {@code onListing} once, right after the first listing of {@code prefix} (the chunks of a window) has answered. */
    static S3Client interleaving(String prefix, Runnable onListing) {
        return onCall("listObjectsV2", 1, false, a -> a instanceof ListObjectsV2Request r && prefix.equals(r.prefix()) && r.startAfter() == null
                && r.maxKeys() == null, onListing);
    }

    /** Runs {@code action} once, before or after the {@code nth} call of {@code method} whose one argument matches. */
    static S3Client onCall(String method, int nth, boolean before, java.util.function.Predicate<Object> argument, Runnable action) {
        var calls = new java.util.concurrent.atomic.AtomicInteger();
        return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class}, (proxy, m, args) -> {
            boolean fire = m.getName().equals(method) && args != null && args.length == 1 && argument.test(args[0])
                    && calls.incrementAndGet() == nth;
            if (fire && before) action.run();
            Object result;
            try {
                result = m.invoke(s3, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (fire && !before) action.run();
            return result;
        });
    }

    /** What the daemon does for one chunk, then what the index handler of its pcap.uploaded does. */
    static void upload(String node, long firstPacketNanos, RawRangeStore rawRanges, long heartbeatMillis) {
        try {
            var written = RawChunks.write(s3, BUCKET, work.resolve("chunks-" + firstPacketNanos), node, CAPTURE, 1,
                    RawChunks.evenlyFrom(firstPacketNanos, 1_000_000L)).getFirst();
            ChunkKey key = S3Layout.parseChunkKey(written.key()).orElseThrow();
            var hb = new Heartbeat(node, true, "session-" + node, "replay", heartbeatMillis - 60_000, heartbeatMillis, 0, 0, 0, 0, 0, 0, 0, 0,
                    List.of(), written.key(), key.endNanos() / 1_000_000L);
            s3.putObject(b -> b.bucket(BUCKET).key(S3Layout.heartbeatKey(node)), RequestBody.fromBytes(hb.toJson()));
            rawRanges.record(key);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aChunkUploadedWhileTheWindowIsBeingListedIsInTheCompletedSnapshot() throws Exception {
        String node = "node-race";
        long endMs = System.currentTimeMillis() - 60_000;
        var window = new Window(endMs - 10_000, endMs);
        Clock afterTheWindow = Clock.fixed(Instant.ofEpochMilli(endMs + 30_000), ZoneOffset.UTC);
        long nowMs = afterTheWindow.millis();

        var rawRanges = new RawRangeStore(s3, BUCKET);
        // a chunk inside the window is there; the node's last upload so far ends inside the window
        upload(node, (endMs - 5_000) * 1_000_000L, rawRanges, nowMs);

        // the node's next chunk (its first 11 packets inside the window, up to its last ms) lands
        // just after the assembler listed the node's chunks
        S3Client racing = interleaving(S3Layout.rawPrefix(node), () -> upload(node, (endMs - 10) * 1_000_000L, rawRanges, nowMs));
        var index = new ChunkStore(racing, BUCKET);
        var capture = new CaptureStatus(index, new HeartbeatStore(racing, BUCKET), new RawRangeStore(racing, BUCKET), afterTheWindow, Duration.ofSeconds(60), Duration.ofHours(24));
        var store = new SnapshotStore(racing, BUCKET);
        var assembler = new SnapshotAssembler(racing, BUCKET, store, capture, Duration.ofMinutes(5), 4);

        store.create(SnapshotManifest.requested("raced", Instant.ofEpochMilli(endMs).toString(), "10s", window, List.of(node)));
        store.markPending("raced");
        SnapshotStatus status = assembler.assemble("raced");
        // the chunk's own pcap.uploaded runs the assembler again
        if (status == SnapshotStatus.IN_PROGRESS) status = assembler.assemble("raced");

        SnapshotManifest m = store.read("raced").orElseThrow().manifest();
        assertThat(status).isEqualTo(SnapshotStatus.COMPLETED);
        assertThat(m.objects()).as(m.objects().toString()).hasSize(2);
        assertThat(m.packetCount()).isEqualTo(55 + 11);
        // each copy has its meta beside it (the workload table the dissection names pods by)
        for (var o : m.objects()) {
            assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(S3Layout.chunkMetaKey(o.key()))).asByteArray())
                    .isEqualTo(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(S3Layout.chunkMetaKey(o.sourceKey()))).asByteArray());
        }
    }

    @Test
    void chunksAlreadyCopiedStayInTheSnapshotWhenRetentionDeletesTheirRawOriginal() throws Exception {
        String node = "node-retained";
        long endMs = System.currentTimeMillis() - 60_000;
        var window = new Window(endMs - 10_000, endMs);
        var clock = new AtomicReference<>(Instant.ofEpochMilli(endMs - 3_000));
        Clock movable = new Clock() {
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            public Instant instant() {
                return clock.get();
            }
        };
        var index = new ChunkStore(s3, BUCKET);
        var rawRanges = new RawRangeStore(s3, BUCKET);
        var capture = new CaptureStatus(index, new HeartbeatStore(s3, BUCKET), rawRanges, movable, Duration.ofSeconds(60), Duration.ofHours(24));
        var store = new SnapshotStore(s3, BUCKET);
        var assembler = new SnapshotAssembler(s3, BUCKET, store, capture, Duration.ofMinutes(5), 4);

        upload(node, (endMs - 5_000) * 1_000_000L, rawRanges, endMs - 3_000);
        store.create(SnapshotManifest.requested("retained", Instant.ofEpochMilli(endMs).toString(), "10s", window, List.of(node)));
        store.markPending("retained");
        assertThat(assembler.assemble("retained")).isEqualTo(SnapshotStatus.IN_PROGRESS);
        SnapshotObject copied = store.read("retained").orElseThrow().manifest().objects().getFirst();

        // the raw chunk ages out of retention; the snapshot's copy is the evidence that remains
        s3.deleteObject(b -> b.bucket(BUCKET).key(copied.sourceKey()));
        s3.deleteObject(b -> b.bucket(BUCKET).key(S3Layout.chunkMetaKey(copied.sourceKey())));
        clock.set(Instant.ofEpochMilli(endMs + 30_000));
        upload(node, (endMs - 10) * 1_000_000L, rawRanges, endMs + 30_000);

        assertThat(assembler.assemble("retained")).isEqualTo(SnapshotStatus.COMPLETED);
        SnapshotManifest m = store.read("retained").orElseThrow().manifest();
        assertThat(m.objects()).extracting(SnapshotObject::key).contains(copied.key()).hasSize(2);
        assertThat(m.packetCount()).isEqualTo(55 + 11);
    }

    @Test
    void aDeleteWhileTheAssemblerCopiesLeavesNothingBehind() throws Exception {
        String node = "node-deleted";
        long endMs = System.currentTimeMillis() - 60_000;
        var window = new Window(endMs - 10_000, endMs);
        // two chunks inside the window
        RawChunks.write(s3, BUCKET, work.resolve("deleted"), node, CAPTURE, 2, RawChunks.evenlyFrom((endMs - 5_000) * 1_000_000L, 1_000_000L));
        var plainStore = new SnapshotStore(s3, BUCKET);
        plainStore.create(SnapshotManifest.requested("deleted", Instant.ofEpochMilli(endMs).toString(), "10s", window, List.of(node)));
        plainStore.markPending("deleted");

        // DELETE /mcp/snapshots/deleted runs between the assembler's two copies
        S3Client racing = onCall("copyObject", 2, true, a -> true, () -> plainStore.deleteAll("deleted"));
        var index = new ChunkStore(racing, BUCKET);
        var capture = new CaptureStatus(index, new HeartbeatStore(racing, BUCKET), new RawRangeStore(racing, BUCKET), Clock.fixed(Instant.ofEpochMilli(endMs + 30_000), ZoneOffset.UTC),
                Duration.ofSeconds(60), Duration.ofHours(24));
        var assembler = new SnapshotAssembler(racing, BUCKET, new SnapshotStore(racing, BUCKET), capture, Duration.ofMinutes(5), 4);

        assertThat(assembler.assemble("deleted")).isNull();
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix(S3Layout.snapshotPrefix("deleted"))).contents()).isEmpty();
        assertThat(plainStore.pending()).doesNotContain("deleted");
    }

    @Test
    void aTransientS3FailureLeavesTheSnapshotInProgressForTheNextRun() throws Exception {
        String node = "node-flaky";
        long endMs = System.currentTimeMillis() - 60_000;
        var window = new Window(endMs - 10_000, endMs);
        Clock afterTheWindow = Clock.fixed(Instant.ofEpochMilli(endMs + 30_000), ZoneOffset.UTC);
        var rawRanges = new RawRangeStore(s3, BUCKET);
        upload(node, (endMs - 5_000) * 1_000_000L, rawRanges, afterTheWindow.millis());
        upload(node, (endMs - 10) * 1_000_000L, rawRanges, afterTheWindow.millis());

        // the first copy meets S3 answering 503 Slow Down
        S3Client flaky = onCall("copyObject", 1, true, a -> true, () -> {
            throw (S3Exception) S3Exception.builder().statusCode(503).message("Slow Down").build();
        });
        var index = new ChunkStore(flaky, BUCKET);
        var capture = new CaptureStatus(index, new HeartbeatStore(flaky, BUCKET), new RawRangeStore(flaky, BUCKET), afterTheWindow, Duration.ofSeconds(60), Duration.ofHours(24));
        var store = new SnapshotStore(flaky, BUCKET);
        var assembler = new SnapshotAssembler(flaky, BUCKET, store, capture, Duration.ofMinutes(5), 4);
        store.create(SnapshotManifest.requested("flaky", Instant.ofEpochMilli(endMs).toString(), "10s", window, List.of(node)));
        store.markPending("flaky");

        assertThatThrownBy(() -> assembler.assemble("flaky")).isInstanceOf(SnapshotAssembler.AssemblyInterrupted.class);
        assertThat(store.read("flaky").orElseThrow().manifest().status()).isEqualTo(SnapshotStatus.IN_PROGRESS);
        assertThat(store.pending()).contains("flaky");

        // the event delivered again
        assertThat(assembler.assemble("flaky")).isEqualTo(SnapshotStatus.COMPLETED);
        assertThat(store.read("flaky").orElseThrow().manifest().packetCount()).isEqualTo(55 + 11);
    }
}
