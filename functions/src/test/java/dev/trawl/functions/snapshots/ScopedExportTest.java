package dev.trawl.functions.snapshots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.chunk.ChunkStore;
import dev.trawl.core.chunk.HeartbeatStore;
import dev.trawl.core.chunk.RawRangeStore;
import dev.trawl.core.chunk.Workload;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotManifest.Window;
import dev.trawl.core.snapshot.SnapshotStatus;
import dev.trawl.core.snapshot.SnapshotStore;
import dev.trawl.core.snapshot.WorkloadScope;
import dev.trawl.functions.capture.CaptureStatus;
import dev.trawl.functions.web.ApiException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Scoped exports on a capture whose workload table changes in the window (issue 20 item 3): the
 * demo shop's traffic in three chunks; payment's pod 127.0.0.13 is replaced by one at
 * 127.0.0.11 in the second chunk (both own their packets there), and 127.0.0.13 is reused by
 * another pod in the third. The export scoped to the payment service holds exactly what tshark
 * selects from each chunk with that chunk's own address set, in order, nothing else.
 */
class ScopedExportTest extends OnRealS3 {
    static final Path CAPTURE = Path.of("..", "node-capture-daemon", "src", "main", "resources", "demo", "demo.pcap");
    static final String NODE = "node-scoped";
    static final Workload CHECKOUT = new Workload("checkout-1", "shop", "checkout", NODE);
    static final Workload PAYMENT_A = new Workload("payment-a", "shop", "payment", NODE);
    static final Workload PAYMENT_B = new Workload("payment-b", "shop", "payment", NODE);
    static final Workload REPORTS = new Workload("reports-7", "batch", "reports", NODE);
    static final List<Map<String, Workload>> TABLES = List.of(
            Map.of("127.0.0.10", CHECKOUT, "127.0.0.13", PAYMENT_A),
            Map.of("127.0.0.10", CHECKOUT, "127.0.0.13", PAYMENT_A, "127.0.0.11", PAYMENT_B),
            Map.of("127.0.0.10", CHECKOUT, "127.0.0.13", REPORTS, "127.0.0.11", PAYMENT_B));

    static List<RawChunks.Written> chunks;
    static SnapshotExport export;

    @BeforeAll
    static void snapshotOfTheChangingShop() throws Exception {
        long endMs = System.currentTimeMillis() - 120_000;
        var written = RawChunks.write(s3, BUCKET, work.resolve("scoped"), NODE, CAPTURE, TABLES.size(),
                RawChunks.startingAt(CAPTURE, (endMs - 60_000) * 1_000_000L));
        chunks = new ArrayList<>();
        var rawRanges = new RawRangeStore(s3, BUCKET);
        for (int i = 0; i < written.size(); i++) {
            ChunkMeta m = written.get(i).meta();
            var withTable = new ChunkMeta(m.node(), m.key(), m.packets(), m.bytes(), m.firstNanos(), m.lastNanos(), m.linkType(), m.snaplen(),
                    m.sha256(), m.sessionId(), m.interfaces(), m.mode(), m.kernelDrops(), TABLES.get(i));
            s3.putObject(b -> b.bucket(BUCKET).key(withTable.metaKey()), RequestBody.fromBytes(withTable.toJson()));
            chunks.add(new RawChunks.Written(written.get(i).key(), written.get(i).file(), withTable));
            rawRanges.record(S3Layout.parseChunkKey(m.key()).orElseThrow());
        }
        Clock after = Clock.fixed(Instant.ofEpochMilli(endMs + 600_000), ZoneOffset.UTC);
        var capture = new CaptureStatus(new ChunkStore(s3, BUCKET), new HeartbeatStore(s3, BUCKET), rawRanges, after,
                Duration.ofSeconds(60), Duration.ofHours(24));
        var store = new SnapshotStore(s3, BUCKET);
        var assembler = new SnapshotAssembler(s3, BUCKET, store, capture, Duration.ofMinutes(5), 4);
        store.create(SnapshotManifest.requested("shop", Instant.ofEpochMilli(endMs).toString(), "2m",
                new Window(endMs - 120_000, endMs), List.of(NODE)));
        assertThat(assembler.assemble("shop")).isEqualTo(SnapshotStatus.COMPLETED);
        var service = new SnapshotService(store, assembler, capture, new DissectionStatusStore(s3, BUCKET), null, Duration.ofHours(24), Duration.ofHours(24));
        export = new SnapshotExport(s3, null, BUCKET, service, store, Duration.ofHours(1), Duration.ofHours(1), after);
    }

    /** What tshark selects from each raw chunk with that chunk's own address set, chunk after chunk. */
    static List<String> tsharkPerChunk(WorkloadScope scope) throws Exception {
        List<String> lines = new ArrayList<>();
        for (RawChunks.Written c : chunks) {
            Set<String> ips = scope.addresses(c.meta().workloads());
            if (ips.isEmpty()) continue;
            String filter = "ip.addr in {" + String.join(", ", ips) + "}";
            lines.addAll(packets(c.file(), filter));
        }
        return lines;
    }

    static List<String> packets(Path file, String filter) throws Exception {
        var command = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-T", "fields",
                "-e", "frame.time_epoch", "-e", "ip.src", "-e", "ip.dst", "-e", "frame.len"));
        if (filter != null) command.addAll(List.of("-Y", filter));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    static List<String> exported(WorkloadScope scope, String bpf) throws Exception {
        var plan = export.plan(new SnapshotExport.Request("shop", null, null, null, bpf, null, scope));
        Path file = Files.createTempFile(work, "scoped", ".pcap");
        try (OutputStream out = Files.newOutputStream(file)) {
            export.write(plan, out);
        }
        return packets(file, null);
    }

    @Test
    void aServiceIsFollowedToItsNewPodAndNotToItsOldAddressReused() throws Exception {
        var payment = WorkloadScope.parse("payment", null, null);
        List<String> expected = tsharkPerChunk(payment);
        List<String> got = exported(payment, null);
        assertThat(got).isEqualTo(expected);
        // the capture really changes under the scope: each chunk adds packets, and the reused
        // address's packets in the last chunk are not payment's
        for (var c : chunks) assertThat(packets(c.file(), "ip.addr in {" + String.join(", ", payment.addresses(c.meta().workloads())) + "}")).isNotEmpty();
        assertThat(packets(chunks.get(2).file(), "ip.addr == 127.0.0.13")).isNotEmpty().doesNotContainAnyElementsOf(got);
        assertThat(got.size()).isLessThan(chunks.stream().mapToInt(c -> (int) c.meta().packets()).sum());
    }

    @Test
    void podsNamespacesAndBpfCombine() throws Exception {
        var checkoutPod = WorkloadScope.parse(null, null, "shop/checkout-1");
        Set<String> onPort80 = new java.util.HashSet<>();
        for (var c : chunks) onPort80.addAll(packets(c.file(), "tcp.port == 80"));
        assertThat(exported(checkoutPod, "tcp port 80")).isEqualTo(tsharkPerChunk(checkoutPod).stream().filter(onPort80::contains).toList())
                .isNotEmpty();
        var batch = WorkloadScope.parse(null, "batch", null);
        assertThat(exported(batch, null)).isEqualTo(tsharkPerChunk(batch)).isNotEmpty();
        assertThat(exported(WorkloadScope.parse("nosuch", null, null), null)).isEmpty();
        assertThatThrownBy(() -> SnapshotExport.scope(",".repeat(2) + "x".repeat(300), null, null)).isInstanceOf(ApiException.BadRequest.class);
    }
}
