package dev.trawl.capture.upload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.embedded.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The capture daemon's IAM role may only write raw/ and nodes/ (terraform/modules/iam): no
 * GetObject, so no HeadObject either. An upload, multipart included, must complete with writes
 * alone. The client here refuses every operation that role lacks, as S3 would (403).
 */
class ChunkUploaderWriteOnlyTest {
    @TempDir Path tmp;

    @Test
    void aMultipartChunkGoesUpWithWritePermissionsOnly() throws Exception {
        try (EmbeddedS3 s3proxy = EmbeddedS3.startForTest(tmp.resolve("s3")); S3Client admin = s3proxy.client();
             S3Client writeOnly = writeOnlyClient(s3proxy)) {
            byte[] bytes = new byte[12 << 20];
            new Random(7).nextBytes(bytes);
            Path chunk = Files.write(tmp.resolve("chunk.pcap"), bytes);

            new ChunkUploader(writeOnly, "trawl", 5L << 20, 5 << 20).upload(chunk, "raw/node-a/1-2.pcap", "application/vnd.tcpdump.pcap", Map.of());

            assertThat(admin.getObjectAsBytes(b -> b.bucket("trawl").key("raw/node-a/1-2.pcap")).asByteArray()).isEqualTo(bytes);
        }
    }

    private static S3Client writeOnlyClient(EmbeddedS3 s3proxy) {
        var settings = s3proxy.settings();
        return S3Client.builder()
                .endpointOverride(s3proxy.endpoint())
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey())))
                .overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
                        if (!java.util.Set.of("PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload").contains(operation)) {
                            throw S3Exception.builder().statusCode(403).message(operation + ": Access Denied (write-only role)").build();
                        }
                    }
                }))
                .build();
    }
}
