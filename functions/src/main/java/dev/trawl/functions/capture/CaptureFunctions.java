package dev.trawl.functions.capture;

import dev.trawl.core.chunk.HeartbeatStore;
import dev.trawl.core.chunk.RawRangeStore;
import dev.trawl.core.events.EventSender;
import dev.trawl.core.events.TrawlEvents;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Settings;
import dev.trawl.functions.events.CloudEventHandler;
import io.cloudevents.CloudEvent;
import dev.trawl.functions.TrawlConfiguration.TrawlEnv;
import dev.trawl.functions.web.FunctionGroup;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code GET /mcp/raw-capture} and {@code GET /mcp/data-boundaries}: Suppliers that Spring
 * Cloud Function serves by their bean names under {@code /mcp}.
 */
@Configuration(proxyBeanMethods = false)
@FunctionGroup({"raw-capture", "data-boundaries", "snapshots"})
public class CaptureFunctions {

    @Bean
    public ChunkIndex chunkIndex(S3Client s3, S3Settings settings) {
        return new ChunkIndex(s3, settings.bucket());
    }

    @Bean
    public RawRangeStore rawRangeStore(S3Client s3, S3Settings settings) {
        return new RawRangeStore(s3, settings.bucket());
    }

    @Bean
    public HeartbeatStore heartbeatStore(S3Client s3, S3Settings settings) {
        return new HeartbeatStore(s3, settings.bucket());
    }

    @Bean
    public CaptureStatus captureStatus(ChunkIndex index, HeartbeatStore heartbeats, RawRangeStore rawRanges, Clock clock, TrawlEnv env) {
        return new CaptureStatus(index, heartbeats, rawRanges, clock,
                java.time.Duration.ofSeconds(Long.parseLong(env.get("TRAWL_HEARTBEAT_STALE_SECONDS", "60"))),
                dev.trawl.core.Durations.parse(env.get("TRAWL_RAW_RETENTION", "24h")));
    }

    /**
     * {@code pcap.uploaded}: widen the node's {@link RawRangeStore} entry. Ordered first, so handlers
     * of the same event (snapshot assembly) already see the chunk in the range.
     */
    @Bean
    @org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
    public CloudEventHandler pcapUploadedIndex(RawRangeStore rawRanges) {
        return new CloudEventHandler() {
            @Override
            public String type() {
                return TrawlEvents.PCAP_UPLOADED;
            }

            @Override
            public void handle(CloudEvent event) {
                Object key = EventSender.dataAsMap(event).get("key");
                if (key instanceof String k) S3Layout.parseChunkKey(k).ifPresent(rawRanges::record);
            }
        };
    }

    @Bean(name = "raw-capture")
    @FunctionGroup("raw-capture")
    public Supplier<Map<String, Object>> rawCapture(CaptureStatus status) {
        return status::rawCapture;
    }

    @Bean(name = "data-boundaries")
    @FunctionGroup("data-boundaries")
    public Supplier<Map<String, Object>> dataBoundaries(CaptureStatus status) {
        return status::dataBoundaries;
    }
}
