package dev.trawl.core.audit;

import dev.trawl.core.s3.CreateOnce;
import dev.trawl.core.s3.S3Layout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The audit trail in S3: each batch of records is one new object under {@code audit/}, created
 * once ({@code If-None-Match: *}) and never rewritten, so an S3 Object Lock default retention on
 * the bucket covers every record. Keys sort by time ({@link S3Layout#auditKey}), so a query from a
 * moment on lists only the objects written since.
 */
public final class AuditStore {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final S3Client s3;
    private final String bucket;
    private final String writer;

    /** {@code writer}: this process's name in the keys, so replicas never write the same key. */
    public AuditStore(S3Client s3, String bucket, String writer) {
        this.s3 = s3;
        this.bucket = bucket;
        this.writer = writer;
    }

    /** Appends a batch as one object (JSON lines); returns its key. */
    public String append(List<AuditRecord> records, Instant at, long sequence) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (AuditRecord r : records) {
            body.writeBytes(JSON.writeValueAsBytes(r));
            body.write('\n');
        }
        String key = S3Layout.auditKey(at, writer, sequence);
        if (!CreateOnce.create(s3, bucket, key, body.toByteArray(), "application/x-ndjson")) {
            throw new IllegalStateException("audit object " + key + " exists already: two writers share the name " + writer);
        }
        return key;
    }

    /**
     * Records at or after {@code since} that {@code filter} keeps, oldest first, at most {@code limit}.
     * Objects are listed from the key of {@code since}'s minute on: a batch's key carries the time it was written,
     * never earlier than its records.
     */
    public List<AuditRecord> read(Instant since, Predicate<AuditRecord> filter, int limit) throws IOException {
        List<AuditRecord> found = new ArrayList<>();
        String startAfter = S3Layout.auditListStart(since);
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(S3Layout.AUDIT).startAfter(startAfter)).contents()) {
            try (InputStream in = s3.getObject(b -> b.bucket(bucket).key(object.key()))) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (line.isBlank()) continue;
                    AuditRecord record = JSON.readValue(line, AuditRecord.class);
                    if (Instant.parse(record.time()).isBefore(since) || !filter.test(record)) continue;
                    found.add(record);
                    if (found.size() >= limit) return found;
                }
            }
        }
        return found;
    }
}
