package dev.trawl.local.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.core.s3.S3Settings;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What trawl's storage code needs from S3, asserted against each S3 it runs on: the embedded one
 * (always) and LocalStack (where Docker is).
 */
abstract class S3StorageContract {
    /** Settings of a store whose bucket exists. */
    abstract S3Settings settings();

    @Test
    void putGetListByPrefixAndDelimiter() {
        try (S3Client s3 = settings().client()) {
            String bucket = settings().bucket();
            s3.putObject(b -> b.bucket(bucket).key("listing/node-a/100-200.pcap"), RequestBody.fromString("a1"));
            s3.putObject(b -> b.bucket(bucket).key("listing/node-a/200-300.pcap"), RequestBody.fromString("a2"));
            s3.putObject(b -> b.bucket(bucket).key("listing/node-b/100-200.pcap"), RequestBody.fromString("b1"));
            List<String> nodes = s3.listObjectsV2(b -> b.bucket(bucket).prefix("listing/").delimiter("/"))
                    .commonPrefixes().stream().map(CommonPrefix::prefix).toList();
            assertThat(nodes).containsExactly("listing/node-a/", "listing/node-b/");
            List<String> chunks = s3.listObjectsV2(b -> b.bucket(bucket).prefix("listing/node-a/")).contents().stream().map(S3Object::key).toList();
            assertThat(chunks).containsExactly("listing/node-a/100-200.pcap", "listing/node-a/200-300.pcap");
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("listing/node-b/100-200.pcap")).asUtf8String()).isEqualTo("b1");
        }
    }

    @Test
    void serverSideCopyAndRangedRead() {
        try (S3Client s3 = settings().client()) {
            String bucket = settings().bucket();
            s3.putObject(b -> b.bucket(bucket).key("raw/node-c/1-2.pcap"), RequestBody.fromString("0123456789"));
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("raw/node-c/1-2.pcap").destinationBucket(bucket).destinationKey("snapshots/s1/node-c/1-2.pcap"));
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("snapshots/s1/node-c/1-2.pcap").range("bytes=2-5")).asUtf8String()).isEqualTo("2345");
        }
    }

    @Test
    void aMissingKeyIsNoSuchKey() {
        try (S3Client s3 = settings().client()) {
            assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket(settings().bucket()).key("nodes/none/heartbeat.json")))
                    .isInstanceOf(NoSuchKeyException.class);
        }
    }
}
