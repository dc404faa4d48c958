package dev.trawl.functions.snapshots;

import dev.trawl.embedded.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.s3.S3Client;

/** Tests of snapshot assembly on a real S3 (s3proxy) over a temporary directory, bucket {@link #BUCKET}. */
abstract class OnRealS3 {
    static final String BUCKET = "trawl";
    static Path work;
    static EmbeddedS3 s3Server;
    static S3Client s3;

    @BeforeAll
    static void startS3() throws Exception {
        work = Files.createTempDirectory("snapshot-assembly");
        s3Server = EmbeddedS3.startForTest(work.resolve("s3"));
        s3 = s3Server.client();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
        s3Server.close();
    }
}
