package dev.trawl.embedded;

import dev.trawl.core.s3.S3Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * A real S3 API in-process: s3proxy over a directory. The AWS SDK, the aws CLI and any S3 client
 * talk to it unchanged. Port 0 picks a free port (tests); the local stack uses 9000.
 */
public final class EmbeddedS3 implements AutoCloseable {
    public static final String DEFAULT_ACCESS_KEY = "trawl";
    public static final String DEFAULT_SECRET_KEY = "trawl-local-secret";

    private final S3Proxy proxy;
    private final S3Settings settings;

    private EmbeddedS3(S3Proxy proxy, S3Settings settings) {
        this.proxy = proxy;
        this.settings = settings;
    }

    /** Starts on 127.0.0.1:{@code port} with its objects under {@code dir}, and creates {@code bucket}. */
    public static EmbeddedS3 start(Path dir, String host, int port, String bucket) throws Exception {
        Files.createDirectories(dir);
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
        BlobStore blobStore = new AtomicConditionalWrites(BlobStores.create("filesystem-nio2", properties));
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://" + host + ":" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
            Thread.sleep(5);
        }
        URI endpoint = URI.create("http://" + host + ":" + proxy.getPort());
        S3Settings settings = S3Settings.embedded(endpoint, bucket, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY);
        try (S3Client s3 = settings.client()) {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (BucketAlreadyOwnedByYouException alreadyThere) {
            // a second start on the same directory finds its data again
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() != 409) throw e;
        }
        return new EmbeddedS3(proxy, settings);
    }

    /** A fresh store on a free port, for tests. */
    public static EmbeddedS3 startForTest(Path dir) throws Exception {
        return start(dir, "127.0.0.1", 0, "trawl");
    }

    public S3Settings settings() {
        return settings;
    }

    public URI endpoint() {
        return settings.endpoint();
    }

    public S3Client client() {
        return settings.client();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
