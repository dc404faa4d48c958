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
}
