package dev.trawl.local.storage;

import dev.trawl.core.s3.S3Settings;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import software.amazon.awssdk.services.s3.S3Client;

/** The same contract against LocalStack's S3; skipped where there is no Docker. */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackS3StorageTest extends S3StorageContract {
    @Container
    static final LocalStackContainer localstack = new LocalStackContainer("localstack/localstack:4.4").withServices("s3");

    static S3Settings settings;

    @BeforeAll
    static void bucket() {
        settings = new S3Settings("trawl", localstack.getEndpoint(), localstack.getRegion(), localstack.getAccessKey(), localstack.getSecretKey());
        try (S3Client s3 = settings.client()) {
            s3.createBucket(b -> b.bucket("trawl"));
        }
    }

    @Override
    S3Settings settings() {
        return settings;
    }
}
