package dev.trawl.dissector.job;

import dev.trawl.dissector.Retry;
import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * A chunk streamed from S3 that survives a broken connection: on a read failure it asks again
 * from the byte it had reached (a ranged GET), so the engine's reassembly state never sees a
 * repeated or missing byte. It also counts bytes and checks for cancellation, so a stop request
 * lands within one read even in a huge chunk.
 */
final class S3ChunkStream extends InputStream {
    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final Retry retry;
    private final Runnable onRead;
    private ResponseInputStream<GetObjectResponse> in;
    private long position;

    S3ChunkStream(S3Client s3, String bucket, String key, Retry retry, Runnable onRead) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.retry = retry;
        this.onRead = onRead;
    }

    long position() {
        return position;
    }

    private void open() {
        long from = position;
        in = retry.run("reading s3://" + bucket + "/" + key, () ->
                s3.getObject(b -> b.bucket(bucket).key(key).range(from > 0 ? "bytes=" + from + "-" : null)));
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        onRead.run();
        for (int attempt = 0; ; attempt++) {
            if (in == null) open();
            try {
                int n = in.read(b, off, len);
                if (n > 0) position += n;
                return n;
            } catch (IOException e) {
                closeQuietly();
                if (attempt + 1 >= retry.attempts()) {
                    throw new IOException("s3://" + bucket + "/" + key + " broke off at byte " + position + ": " + e.getMessage(), e);
                }
                // reopen from `position` on the next turn
            }
        }
    }

    private void closeQuietly() {
        if (in == null) return;
        in.abort();
        try {
            in.close();
        } catch (IOException ignored) {
            // the connection is already gone
        }
        in = null;
    }

    @Override
    public void close() {
        // abort rather than drain: a cancelled or damaged chunk may have megabytes left unread
        closeQuietly();
    }
}
