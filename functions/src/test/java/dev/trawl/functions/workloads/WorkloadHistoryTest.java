package dev.trawl.functions.workloads;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.chunk.ChunkStore;
import dev.trawl.core.chunk.Workload;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Layout.ChunkKey;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotStore;
import dev.trawl.embedded.EmbeddedS3;
import dev.trawl.functions.web.ApiException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Workload tables that change over three chunks on s3proxy: payment's pod replaced by one with a
 * new address, and the old address reused later by another pod. Each question is answered from
 * the chunks of that moment, for raw chunks and for a snapshot's copies.
 */
class WorkloadHistoryTest {
    static final String BUCKET = "trawl";
    static final long SEC = 1_000_000_000L;
    static final long T0 = 1_800_000_000L * SEC;
    static final Workload PAYMENT_A = new Workload("payment-a", "shop", "payment", "node-1");
    static final Workload PAYMENT_B = new Workload("payment-b", "shop", "payment", "node-1");
    static final Workload REDIS = new Workload("redis-0", "shop", "redis", "node-1");
    static final Workload DNS = new Workload("coredns-1", "kube-system", "kube-dns", "node-1");

    static Path work;
    static EmbeddedS3 server;
    static S3Client s3;
    static WorkloadHistory history;
    static final List<ChunkKey> RAW = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("workloads");
        server = EmbeddedS3.startForTest(work.resolve("s3"));
        s3 = server.client();
        var tables = List.of(
                Map.of("10.0.0.5", PAYMENT_A, "10.0.0.53", DNS),
                Map.of("10.0.0.5", PAYMENT_A, "10.0.0.9", PAYMENT_B, "10.0.0.53", DNS), // replaced mid-chunk: both own their packets
                Map.of("10.0.0.5", REDIS, "10.0.0.9", PAYMENT_B, "10.0.0.53", DNS));
        var objects = new ArrayList<SnapshotManifest.SnapshotObject>();
        for (int i = 0; i < tables.size(); i++) {
            long first = T0 + i * 60 * SEC, last = first + 59 * SEC;
            ChunkKey raw = S3Layout.parseChunkKey(S3Layout.chunkKey("node-1", first, last)).orElseThrow();
            RAW.add(raw);
            String copy = S3Layout.snapshotChunkKey("evidence", raw);
            for (String key : List.of(raw.key(), copy)) {
                put(key, new byte[0]);
                put(S3Layout.chunkMetaKey(key), new ChunkMeta("node-1", key, 10, 100, first, last, 1, 262_144, "00",
                        "s", List.of("eth0"), ChunkMeta.LIVE, 0, tables.get(i)).toJson());
            }
            objects.add(new SnapshotManifest.SnapshotObject("node-1", copy, raw.key(), "00", 10, 100, first, last, 1));
        }
        var window = new SnapshotManifest.Window(T0 / 1_000_000, (T0 + 180 * SEC) / 1_000_000);
        var snapshots = new SnapshotStore(s3, BUCKET);
        snapshots.create(SnapshotManifest.requested("evidence", Instant.now().toString(), "3m", window, List.of())
                .withObjects(objects, window, null).completed(Instant.now().toString()));
        Clock atEnd = Clock.fixed(Instant.ofEpochMilli((T0 + 180 * SEC) / 1_000_000), ZoneOffset.UTC);
        history = new WorkloadHistory(new ChunkStore(s3, BUCKET), snapshots, atEnd);
    }

    static void put(String key, byte[] bytes) {
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(bytes));
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        server.close();
    }

    static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    @Test
    void anAddressBelongsToWhoHadItAtThatMoment() {
        assertThat(history.ips(null, "10.0.0.5", ms(T0 + 30 * SEC)).ips()).extracting(WorkloadAnswers.IpOwner::pod).containsExactly("payment-a");
        assertThat(history.ips(null, "10.0.0.5", ms(T0 + 150 * SEC)).ips()).extracting(WorkloadAnswers.IpOwner::pod).containsExactly("redis-0");
        assertThat(history.ips(null, "10.0.0.9", ms(T0 + 30 * SEC)).ips()).isEmpty();
        // over the snapshot: the reused address has two owners, each with the span of its own chunks
        var owners = history.ips("evidence", "10.0.0.5", null).ips();
        assertThat(owners).extracting(WorkloadAnswers.IpOwner::pod).containsExactlyInAnyOrder("payment-a", "redis-0");
        var a = owners.stream().filter(o -> o.pod().equals("payment-a")).findFirst().orElseThrow();
        assertThat(a.firstSeenTs()).isEqualTo(ms(T0));
        assertThat(a.lastSeenTs()).isEqualTo(ms(T0 + 119 * SEC));
    }

    @Test
    void workloadsOfASnapshotFollowAReplacedPod() {
        var payment = history.workloads("evidence/analysis", "shop", "^payment-", null);
        assertThat(payment.workloads()).extracting(WorkloadAnswers.Pod::pod).containsExactly("payment-a", "payment-b");
        assertThat(payment.workloads()).allSatisfy(p -> assertThat(p.service()).isEqualTo("payment"));
        assertThat(payment.total()).isEqualTo(2);
        assertThat(history.workloads("evidence", "kube-system", null, null).workloads())
                .singleElement().satisfies(p -> assertThat(p.ips()).containsExactly("10.0.0.53"));
        // without a snapshot or a moment: the last five minutes of raw chunks
        assertThat(history.workloads(null, null, null, null).workloads()).extracting(WorkloadAnswers.Pod::pod)
                .containsExactly("coredns-1", "payment-a", "payment-b", "redis-0");
    }

    @Test
    void badQuestionsAreRefusedWithWhatToDoNext() {
        assertThatThrownBy(() -> history.workloads("nosuch", null, null, null)).isInstanceOf(ApiException.NotFound.class)
                .hasMessageContaining("list_snapshots");
        assertThatThrownBy(() -> history.workloads(null, null, "(", null)).isInstanceOf(ApiException.BadRequest.class)
                .hasMessageContaining("name_regex");
    }
}
