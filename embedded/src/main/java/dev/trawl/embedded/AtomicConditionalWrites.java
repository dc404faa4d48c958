package dev.trawl.embedded;

import java.io.InputStream;
import java.util.concurrent.locks.ReentrantLock;
import org.gaul.s3proxy.S3ErrorCode;
import org.gaul.s3proxy.S3ProxyException;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Makes a conditional PUT ({@code If-Match}, {@code If-None-Match: *}) check and write as one
 * step, as S3 does. s3proxy checks the condition and then writes, so two writers holding the same
 * ETag could both succeed and one update was lost (seen on a node's raw-range index, which every
 * pcap.uploaded widens by compare-and-swap).
 */
final class AtomicConditionalWrites extends ForwardingBlobStore {
    private final ReentrantLock[] stripes = new ReentrantLock[256];

    AtomicConditionalWrites(BlobStore delegate) {
        super(delegate);
        for (int i = 0; i < stripes.length; i++) stripes[i] = new ReentrantLock();
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
        if (request.ifMatch() == null && request.ifNoneMatch() == null) return delegate().putBlob(request, content);
        ReentrantLock lock = stripes[Math.floorMod((request.bucket() + "/" + request.key()).hashCode(), stripes.length)];
        lock.lock();
        try {
            HeadObjectResponse current = delegate().blobMetadataIfPresent(request.bucket(), request.key());
            if ("*".equals(request.ifNoneMatch()) && current != null) throw new S3ProxyException(S3ErrorCode.PRECONDITION_FAILED);
            if (request.ifMatch() != null) {
                if (current == null) throw new S3ProxyException(S3ErrorCode.NO_SUCH_KEY);
                if (!unquoted(current.eTag()).equals(unquoted(request.ifMatch()))) throw new S3ProxyException(S3ErrorCode.PRECONDITION_FAILED);
            }
            return delegate().putBlob(request, content);
        } finally {
            lock.unlock();
        }
    }

    private static String unquoted(String etag) {
        return etag == null ? "" : etag.replace("\"", "");
    }
}
