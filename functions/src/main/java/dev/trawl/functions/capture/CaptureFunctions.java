package dev.trawl.functions.capture;

import dev.trawl.core.events.EventSender;
import dev.trawl.core.events.TrawlEvents;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Settings;
import dev.trawl.functions.events.CloudEventHandler;
import io.cloudevents.CloudEvent;
import dev.trawl.functions.TrawlConfiguration.TrawlEnv;
import dev.trawl.functions.web.FunctionGroup;
import dev.trawl.functions.web.McpEndpoint;
import dev.trawl.functions.web.McpEndpointGroup;
import java.time.Clock;
import java.util.List;
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
    public RawIndex rawIndex(S3Client s3, S3Settings settings, ChunkIndex index) {
        return new RawIndex(s3, settings.bucket(), index);
    }

    @Bean
    public CaptureStatus captureStatus(ChunkIndex index, RawIndex rawIndex, Clock clock, TrawlEnv env) {
        return new CaptureStatus(index, rawIndex, clock,
                java.time.Duration.ofSeconds(Long.parseLong(env.get("TRAWL_HEARTBEAT_STALE_SECONDS", "60"))),
                dev.trawl.core.ApiDurations.parse(env.get("TRAWL_RAW_RETENTION", "24h")));
    }

    /**
     * {@code pcap.uploaded}: widen the node's {@link RawIndex} entry. Ordered first, so handlers
     * of the same event (snapshot assembly) already see the chunk in the range.
     */
    @Bean
    @org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
    public CloudEventHandler pcapUploadedIndex(RawIndex rawIndex) {
        return new CloudEventHandler() {
            @Override
            public String type() {
                return TrawlEvents.PCAP_UPLOADED;
            }

            @Override
            public void handle(CloudEvent event) {
                Object key = EventSender.dataAsMap(event).get("key");
                if (key instanceof String k) S3Layout.parseChunkKey(k).ifPresent(rawIndex::record);
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

    @Bean
    @FunctionGroup({"raw-capture", "data-boundaries"})
    public McpEndpointGroup captureEndpoints() {
        return () -> List.of(
                new McpEndpoint("GET", "/mcp/raw-capture", "Check if raw capture is enabled"),
                new McpEndpoint("GET", "/mcp/data-boundaries", "Get available data time range"));
    }
}
