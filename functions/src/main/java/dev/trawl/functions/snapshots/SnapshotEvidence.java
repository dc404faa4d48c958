package dev.trawl.functions.snapshots;

import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotStatus;
import dev.trawl.functions.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A snapshot as evidence: {@link #verify} reads every object again and checks its sha256 against
 * the manifest and the raw chunk's meta it was copied from; {@link #requireDeletable} refuses to
 * delete a snapshot still under retention, by {@code TRAWL_SNAPSHOT_LOCK_DAYS} after its creation
 * or by an S3 Object Lock (retention or legal hold) on any of its objects.
 */
public final class SnapshotEvidence {
    private final S3Client s3;
    private final String bucket;
    private final SnapshotService snapshots;
    private final Clock clock;
    private final Duration lock;

    /** {@code lock}: how long after creation a snapshot may not be deleted ({@link Duration#ZERO}: no such rule). */
    public SnapshotEvidence(S3Client s3, String bucket, SnapshotService snapshots, Clock clock, Duration lock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.snapshots = snapshots;
        this.clock = clock;
        this.lock = lock;
    }

    /** One object that is not what the manifest says it is. */
    public record Difference(String key, String problem, String expected, String actual) {}

    public Map<String, Object> verify(String name) {
        SnapshotManifest manifest = snapshots.manifest(name);
        if (manifest.status() != SnapshotStatus.COMPLETED) {
            throw new ApiException.Conflict("snapshot '" + name + "' is " + manifest.status().wire() + ": only a completed snapshot can be verified");
        }
        List<Difference> differences = new ArrayList<>();
        int rawChecked = 0;
        for (SnapshotManifest.SnapshotObject object : manifest.objects()) {
            Optional<String> actual = sha256(object.key());
            if (actual.isEmpty()) {
                differences.add(new Difference(object.key(), "missing", object.sha256(), null));
            } else if (!actual.get().equalsIgnoreCase(object.sha256())) {
                differences.add(new Difference(object.key(), "sha256 differs from the manifest", object.sha256(), actual.get()));
            }
            Optional<ChunkMeta> raw = rawMeta(object.sourceKey());
            if (raw.isPresent()) {
                rawChecked++;
                if (!raw.get().sha256().equalsIgnoreCase(object.sha256())) {
                    differences.add(new Difference(object.key(), "the manifest's sha256 differs from the raw chunk's meta ("
                            + object.sourceKey() + ")", raw.get().sha256(), object.sha256()));
                }
            }
        }
        var answer = new LinkedHashMap<String, Object>();
        answer.put("name", name);
        answer.put("verified", differences.isEmpty());
        answer.put("objects_checked", manifest.objects().size());
        // raw chunks older than the raw retention are gone: those copies are checked against the manifest only
        answer.put("raw_metas_checked", rawChecked);
        answer.put("differences", differences);
        answer.put("checked_at", clock.instant().toString());
        return answer;
    }

    /** Throws a 409 saying until when, when the snapshot may not be deleted yet. */
    public void requireDeletable(String name) {
        Optional<SnapshotManifest> manifest;
        try {
            manifest = Optional.of(snapshots.manifest(name));
        } catch (ApiException.NotFound gone) {
            return; // nothing to retain: the delete answers 404 itself
        }
        Instant now = clock.instant();
        if (!lock.isZero() && manifest.get().createdAt() != null) {
            try {
                Instant until = Instant.parse(manifest.get().createdAt()).plus(lock);
                if (now.isBefore(until)) {
                    throw new ApiException.Conflict("snapshot '" + name + "' is retained until " + until
                            + " (TRAWL_SNAPSHOT_LOCK_DAYS): it cannot be deleted before then");
                }
            } catch (DateTimeParseException ignored) {
                // a manifest without a readable creation time falls back to the Object Lock check
            }
        }
        List<String> keys = new ArrayList<>();
        keys.add(S3Layout.snapshotManifestKey(name));
        manifest.get().objects().forEach(o -> keys.add(o.key()));
        for (String key : keys) {
            HeadObjectResponse head;
            try {
                head = s3.headObject(b -> b.bucket(bucket).key(key));
            } catch (NoSuchKeyException e) {
                continue;
            }
            if (head.objectLockLegalHoldStatus() == ObjectLockLegalHoldStatus.ON) {
                throw new ApiException.Conflict("snapshot '" + name + "' is under an S3 legal hold (" + key + "): it cannot be deleted until the hold is lifted");
            }
            Instant until = head.objectLockRetainUntilDate();
            if (until != null && now.isBefore(until)) {
                throw new ApiException.Conflict("snapshot '" + name + "' is retained until " + until
                        + " (S3 Object Lock, " + head.objectLockModeAsString() + "): it cannot be deleted before then");
            }
        }
    }

    private Optional<String> sha256(String key) {
        MessageDigest digest = newDigest();
        try (InputStream in = new DigestInputStream(s3.getObject(b -> b.bucket(bucket).key(key)), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (IOException | S3Exception e) {
            throw new ApiException.Internal("reading " + key + " failed: " + e.getMessage(), e);
        }
        return Optional.of(HexFormat.of().formatHex(digest.digest()));
    }

    private Optional<ChunkMeta> rawMeta(String sourceKey) {
        if (sourceKey == null) return Optional.empty();
        try {
            return Optional.of(ChunkMeta.fromJson(s3.getObjectAsBytes(b -> b.bucket(bucket).key(S3Layout.chunkMetaKey(sourceKey))).asByteArray()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
