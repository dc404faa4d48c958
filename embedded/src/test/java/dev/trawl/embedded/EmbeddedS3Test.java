package dev.trawl.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

class EmbeddedS3Test {
    @TempDir Path dir;

    @Test
    void objectsSurviveARestartOnTheSameDirectory() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.startForTest(dir); S3Client client = s3.client()) {
            client.putObject(b -> b.bucket("trawl").key("raw/n1/a.pcap"), RequestBody.fromString("abc"));
        }
        try (EmbeddedS3 s3 = EmbeddedS3.startForTest(dir); S3Client client = s3.client()) {
            assertThat(client.getObjectAsBytes(b -> b.bucket("trawl").key("raw/n1/a.pcap")).asUtf8String()).isEqualTo("abc");
            assertThat(client.listObjectsV2(b -> b.bucket("trawl").prefix("raw/")).contents()).hasSize(1);
        }
    }

    /** Compare-and-swap by ETag, as S3 gives it: of concurrent writers holding one ETag, exactly one wins. */
    @Test
    void ofConcurrentWritersHoldingOneEtagExactlyOneWins() throws Exception {
        try (EmbeddedS3 s3 = EmbeddedS3.startForTest(dir); S3Client client = s3.client()) {
            client.putObject(b -> b.bucket("trawl").key("range.json"), RequestBody.fromString("round 0"));
            int writers = 8;
            var pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
            try {
                for (int round = 1; round <= 20; round++) {
                    String etag = client.headObject(b -> b.bucket("trawl").key("range.json")).eTag();
                    var start = new java.util.concurrent.CyclicBarrier(writers);
                    var wins = new java.util.concurrent.atomic.AtomicInteger();
                    var attempts = new java.util.ArrayList<java.util.concurrent.Future<?>>();
                    for (int w = 0; w < writers; w++) {
                        String body = "round " + round + " writer " + w;
                        attempts.add(pool.submit(() -> {
                            start.await();
                            try {
                                client.putObject(b -> b.bucket("trawl").key("range.json").ifMatch(etag), RequestBody.fromString(body));
                                wins.incrementAndGet();
                            } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
                                if (e.statusCode() != 412) throw e;
                            }
                            return null;
                        }));
                    }
                    for (var f : attempts) f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                    assertThat(wins.get()).as("writers that won round " + round).isEqualTo(1);
                }
            } finally {
                pool.shutdown();
            }
            // and a create-if-absent of an existing key is refused
            var refused = org.assertj.core.api.Assertions.catchThrowableOfType(software.amazon.awssdk.services.s3.model.S3Exception.class,
                    () -> client.putObject(b -> b.bucket("trawl").key("range.json").ifNoneMatch("*"), RequestBody.fromString("x")));
            assertThat(refused.statusCode()).isEqualTo(412);
        }
    }
}
