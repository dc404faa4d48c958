package dev.trawl.functions.snapshots;

import dev.trawl.core.ApiDurations;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.events.TrawlEvents;
import dev.trawl.core.s3.S3Settings;
import dev.trawl.core.snapshot.SnapshotStore;
import dev.trawl.functions.TrawlConfiguration.TrawlEnv;
import dev.trawl.functions.capture.CaptureStatus;
import dev.trawl.functions.events.CloudEventHandler;
import dev.trawl.functions.events.Events;
import dev.trawl.functions.web.FunctionGroup;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The snapshots group: its services, its part of {@code GET /mcp}, and the events that drive
 * assembly. Configuration: {@code TRAWL_RAW_RETENTION} (longest window, default 24h, the capture daemon's retention too),
 * {@code TRAWL_SNAPSHOT_GRACE} (how long after a window's end to wait for a quiet node, default
 * 5m), {@code TRAWL_SNAPSHOT_MAX_DURATION} (longest snapshot window, default 24h),
 * {@code TRAWL_SNAPSHOT_MAX_ASSEMBLIES} (snapshots in progress at once, default 4; the rest are
 * pending), {@code TRAWL_PRESIGN_VALIDITY} (default 1h), {@code TRAWL_EXPORT_CACHE_TTL} (how long
 * a presigned export's object is kept, default 1h).
 */
@Configuration(proxyBeanMethods = false)
@FunctionGroup("snapshots")
public class SnapshotFunctions {

    @Bean
    public SnapshotStore snapshotStore(S3Client s3, S3Settings settings) {
        return new SnapshotStore(s3, settings.bucket());
    }

    @Bean
    public SnapshotAssembler snapshotAssembler(S3Client s3, S3Settings settings, SnapshotStore store, CaptureStatus capture, TrawlEnv env) {
        return new SnapshotAssembler(s3, settings.bucket(), store, capture, ApiDurations.parse(env.get("TRAWL_SNAPSHOT_GRACE", "5m")),
                Integer.parseInt(env.get("TRAWL_SNAPSHOT_MAX_ASSEMBLIES", "4")));
    }

    @Bean
    public SnapshotService snapshotService(SnapshotStore store, SnapshotAssembler assembler, CaptureStatus capture, S3Client s3,
            S3Settings settings, Events events, TrawlEnv env) {
        return new SnapshotService(store, assembler, capture, new DissectionStatusStore(s3, settings.bucket()), events,
                ApiDurations.parse(env.get("TRAWL_RAW_RETENTION", "24h")), ApiDurations.parse(env.get("TRAWL_SNAPSHOT_MAX_DURATION", "24h")));
    }

    @Bean
    public SnapshotExport snapshotExport(S3Client s3, S3Presigner presigner, S3Settings settings, SnapshotService service,
            SnapshotStore store, TrawlEnv env, Clock clock) {
        return new SnapshotExport(s3, presigner, settings.bucket(), service, store, ApiDurations.parse(env.get("TRAWL_PRESIGN_VALIDITY", "1h")),
                ApiDurations.parse(env.get("TRAWL_EXPORT_CACHE_TTL", "1h")), clock);
    }

    /** Cached exports are deleted once older than the TTL, whether or not anyone asks for them again. */
    @Bean(destroyMethod = "close")
    public AutoCloseable exportCacheSweeper(SnapshotExport export) {
        return export.sweepPeriodically();
    }

    /** {@code TRAWL_SNAPSHOT_LOCK_DAYS}: days after its creation a snapshot cannot be deleted (default 0: no such rule). */
    @Bean
    public SnapshotEvidence snapshotEvidence(S3Client s3, S3Settings settings, SnapshotService service, Clock clock, TrawlEnv env) {
        return new SnapshotEvidence(s3, settings.bucket(), service, clock, Duration.ofDays(Long.parseLong(env.get("TRAWL_SNAPSHOT_LOCK_DAYS", "0").strip())));
    }

    /** {@code snapshot.requested}: assemble what already exists of the window. */
    @Bean
    public CloudEventHandler snapshotRequested(SnapshotAssembler assembler) {
        return CloudEventHandler.of(TrawlEvents.SNAPSHOT_REQUESTED, data -> {
            if (data.get("name") instanceof String name) assembler.assemble(name);
        });
    }

    /** {@code pcap.uploaded}: a new chunk may belong to, or complete, a snapshot still in progress. */
    @Bean
    public CloudEventHandler pcapUploadedForSnapshots(SnapshotAssembler assembler, SnapshotStore store) {
        return CloudEventHandler.of(TrawlEvents.PCAP_UPLOADED, data -> {
            for (String name : store.pending()) assembler.assemble(name);
        });
    }

}
