package dev.trawl.functions.snapshots;

import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Settings;
import dev.trawl.core.snapshot.SnapshotManifest;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Exports a snapshot from S3 to nowhere, in its own JVM: started with a small {@code -Xmx} by
 * the memory test and the benchmark, to show the export's memory does not grow with the data.
 * Args: S3 endpoint, bucket, access key, secret, snapshot name. Prints packets and bytes.
 */
public final class ExportMain {
    public static void main(String[] args) throws Exception {
        var settings = S3Settings.embedded(URI.create(args[0]), args[1], args[2], args[3]);
        try (S3Client s3 = settings.client()) {
            var manifest = SnapshotManifest.fromJson(s3.getObjectAsBytes(b -> b.bucket(args[1]).key(S3Layout.snapshotManifestKey(args[4]))).asByteArray());
            var export = new SnapshotExport(s3, null, args[1], null, null, Duration.ofHours(1), Duration.ofHours(1), java.time.Clock.systemUTC());
            var counter = new CountingOutputStream();
            long packets = export.write(ExportBenchmark.planOf(manifest), counter);
            Runtime rt = Runtime.getRuntime();
            System.out.println("packets=" + packets + " bytes=" + counter.count + " maxHeapMiB=" + rt.maxMemory() / (1 << 20));
        }
    }

    /** Counts and drops what it is given. */
    static final class CountingOutputStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
