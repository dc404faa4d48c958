package dev.trawl.capture.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.function.Supplier;

/** The daemon's meters, tagged by node; Prometheus names are {@code trawl_capture_*}. */
public final class CaptureMetrics {
    public final Counter packets;
    public final Counter bytes;
    public final Counter kernelDrops;
    public final Counter chunksClosed;
    public final Counter chunksUploaded;
    public final Counter uploadFailures;
    public final Counter eventFailures;
    public final Timer uploadLatency;

    public CaptureMetrics(MeterRegistry registry, String node, Supplier<Number> spoolBytes,
            Supplier<Number> spoolDroppedChunks, Supplier<Number> spoolDroppedPackets) {
        Tags tags = Tags.of("node", node);
        packets = Counter.builder("trawl.capture.packets").description("packets captured into closed chunks").tags(tags).register(registry);
        bytes = Counter.builder("trawl.capture.bytes").description("captured packet bytes in closed chunks").baseUnit("bytes").tags(tags).register(registry);
        kernelDrops = Counter.builder("trawl.capture.kernel.drops").description("packets libpcap reported dropped (ps_drop + ps_ifdrop)").tags(tags).register(registry);
        chunksClosed = Counter.builder("trawl.capture.chunks").tags(tags.and("state", "closed")).description("chunks closed into the spool").register(registry);
        chunksUploaded = Counter.builder("trawl.capture.chunks").tags(tags.and("state", "uploaded")).description("chunks confirmed in S3").register(registry);
        uploadFailures = Counter.builder("trawl.capture.upload.failures").description("upload attempts that failed (retried)").tags(tags).register(registry);
        eventFailures = Counter.builder("trawl.capture.event.failures").description("pcap.uploaded events the sink refused after retries").tags(tags).register(registry);
        uploadLatency = Timer.builder("trawl.capture.upload.latency").description("chunk close to S3 confirmation").tags(tags)
                .publishPercentiles(0.5, 0.99).register(registry);
        Gauge.builder("trawl.capture.spool.bytes", spoolBytes).description("bytes waiting in the local spool").baseUnit("bytes").tags(tags).register(registry);
        // own drops: whole chunks the full spool gave up before S3 had them
        Gauge.builder("trawl.capture.spool.dropped.chunks", spoolDroppedChunks).description("chunks dropped by the spool cap").tags(tags).register(registry);
        Gauge.builder("trawl.capture.spool.dropped.packets", spoolDroppedPackets).description("packets in chunks dropped by the spool cap").tags(tags).register(registry);
    }
}
