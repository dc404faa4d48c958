package dev.trawl.local.storage;

import dev.trawl.core.s3.S3Settings;
import dev.trawl.embedded.EmbeddedS3;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedS3StorageTest extends S3StorageContract {
    @TempDir static Path dir;
    static EmbeddedS3 s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = EmbeddedS3.startForTest(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    @Override
    S3Settings settings() {
        return s3.settings();
    }
}
