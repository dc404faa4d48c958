package dev.trawl.functions.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.audit.AuditRecord;
import dev.trawl.core.audit.AuditStore;
import dev.trawl.embedded.EmbeddedS3;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** The audit trail on s3proxy: batches, not an object per request; nothing queued is lost when the API stops. */
class AuditTrailTest {
    @TempDir Path dir;

    static AuditRecord record(int i) {
        return new AuditRecord(Instant.now().toString(), "alice", "analyst", "token", "get_api_call", "/mcp/calls/c" + i, null, 200, "10.0.0.1");
    }

    @Test
    void recordsAreWrittenInBatchesAndTheLastOnesAtClose() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.startForTest(dir); S3Client client = s3.client()) {
            AuditStore store = new AuditStore(client, "trawl", "api-test");
            // a timer that never fires here: only a full batch and close() write
            AuditTrail trail = new AuditTrail(store, Clock.systemUTC(), Duration.ofHours(1), 100, List.of());
            for (int i = 0; i < 250; i++) trail.record(record(i));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (objects(client).isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(objects(client)).as("a full batch is written without waiting for the timer").isNotEmpty();
            // fewer than a batch, after the early write: only close() writes these
            for (int i = 250; i < 260; i++) trail.record(record(i));
            trail.close();

            // records arriving while an early write waits join its batch, so how many objects the first 250 make depends on
            // timing (one to three); close() adds one for the last ten; never an object a record
            assertThat(objects(client).size()).as("objects for 260 records in batches of 100").isBetween(2, 6);
            List<AuditRecord> all = store.read(Instant.EPOCH, r -> true, 1000);
            assertThat(all).hasSize(260);
            assertThat(all).extracting(AuditRecord::target).doesNotHaveDuplicates().contains("/mcp/calls/c0", "/mcp/calls/c259");
            assertThat(all.getFirst().outcome()).isEqualTo("done");
            assertThat(store.read(Instant.EPOCH, r -> r.target().endsWith("c7"), 10)).hasSize(1);
        }
    }

    static List<String> objects(S3Client client) {
        return client.listObjectsV2(b -> b.bucket("trawl").prefix("audit/")).contents().stream().map(o -> o.key()).toList();
    }
}
