package dev.trawl.capture.upload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Puts one file into S3 and proves it arrived intact: every request carries the body's MD5
 * (S3 refuses a body that does not match it), and the ETag S3 answers must be that MD5 (or,
 * for a multipart upload, the MD5 of the parts' MD5s). Only then may the spool let go.
 */
public final class ChunkUploader {
    private final S3Client s3;
    private final String bucket;
    private final long multipartThreshold;
    private final int partSize;
    private final boolean verifyEtag;

    public ChunkUploader(S3Client s3, String bucket, long multipartThreshold, int partSize) {
        this(s3, bucket, multipartThreshold, partSize, true);
    }

    /**
     * @param verifyEtag compare S3's ETag with the MD5 too; off for SSE-KMS buckets, whose ETags
     *                   are not MD5s (Content-MD5 still makes S3 refuse a damaged body)
     */
    public ChunkUploader(S3Client s3, String bucket, long multipartThreshold, int partSize, boolean verifyEtag) {
        if (partSize < 5 << 20) throw new IllegalArgumentException("S3 parts are at least 5 MiB, not " + partSize);
        this.s3 = s3;
        this.bucket = bucket;
        this.multipartThreshold = multipartThreshold;
        this.partSize = partSize;
        this.verifyEtag = verifyEtag;
    }

    public String bucket() {
        return bucket;
    }

    /** Uploads a file under key; returns normally only when S3 confirmed the exact bytes. */
    public void upload(Path file, String key, String contentType, Map<String, String> metadata) throws IOException {
        long size = Files.size(file);
        if (size > multipartThreshold) {
            multipart(file, key, size, contentType, metadata);
            return;
        }
        byte[] md5 = md5(file);
        PutObjectResponse response = s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType)
                        .contentLength(size).contentMD5(Base64.getEncoder().encodeToString(md5)).metadata(metadata),
                RequestBody.fromFile(file));
        confirm(key, response.eTag(), HexFormat.of().formatHex(md5));
    }

    public void upload(byte[] bytes, String key, String contentType) throws IOException {
        byte[] md5 = md5().digest(bytes);
        PutObjectResponse response = s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType)
                        .contentMD5(Base64.getEncoder().encodeToString(md5)),
                RequestBody.fromBytes(bytes));
        confirm(key, response.eTag(), HexFormat.of().formatHex(md5));
    }

    private void multipart(Path file, String key, long size, String contentType, Map<String, String> metadata) throws IOException {
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType).metadata(metadata)).uploadId();
        boolean done = false;
        try (InputStream in = Files.newInputStream(file)) {
            List<CompletedPart> parts = new ArrayList<>();
            MessageDigest ofParts = md5();
            byte[] buffer = new byte[(int) Math.min(partSize, size)];
            int number = 1;
            long sent = 0;
            while (sent < size) {
                int n = in.readNBytes(buffer, 0, (int) Math.min(buffer.length, size - sent));
                if (n <= 0) throw new IOException(file + " shrank during upload");
                byte[] partMd5 = md5().digest(java.util.Arrays.copyOf(buffer, n));
                ofParts.update(partMd5);
                int partNumber = number++;
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)
                                .contentLength((long) n).contentMD5(Base64.getEncoder().encodeToString(partMd5)),
                        RequestBody.fromBytes(java.util.Arrays.copyOf(buffer, n))).eTag();
                confirm(key + " part " + partNumber, etag, HexFormat.of().formatHex(partMd5));
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
                sent += n;
            }
            String etag = s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())).eTag();
            // No HeadObject to compare sizes: the daemon's role may write but not read raw/, and
            // the parts cover the file's bytes exactly, each refused by S3 unless its MD5 matched.
            confirm(key, etag, HexFormat.of().formatHex(ofParts.digest()) + "-" + parts.size());
            done = true;
        } finally {
            if (!done) {
                try {
                    s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
                } catch (RuntimeException ignored) {
                    // the bucket's lifecycle rule cleans up uploads nobody completes
                }
            }
        }
    }

    private void confirm(String what, String etag, String expected) throws IOException {
        if (!verifyEtag) return;
        String got = etag == null ? null : etag.replace("\"", "").toLowerCase(java.util.Locale.ROOT);
        if (!expected.equals(got)) {
            throw new IOException("S3 did not confirm " + what + ": ETag " + etag + ", expected " + expected);
        }
    }

    private static byte[] md5(Path file) throws IOException {
        MessageDigest md = md5();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = new byte[1 << 16];
            int n;
            while ((n = in.read(b)) > 0) md.update(b, 0, n);
        }
        return md.digest();
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
