package dev.trawl.capture;

import dev.trawl.capture.metrics.CaptureMetrics;
import dev.trawl.capture.spool.Spool;
import dev.trawl.capture.upload.ChunkUploader;
import dev.trawl.capture.workload.WorkloadTable;
import dev.trawl.core.Names;
import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.chunk.ChunkStore;
import dev.trawl.core.chunk.Heartbeat;
import dev.trawl.core.chunk.HeartbeatStore;
import dev.trawl.core.chunk.PcapUploaded;
import dev.trawl.core.events.EventSender;
import dev.trawl.core.events.TrawlEvents;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Settings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One node's capture: packets from its {@link PacketSource}s into rotating chunks, each chunk
 * through the local {@link Spool} into S3 ({@code raw/<node>/...} with its meta), a
 * {@code dev.trawl.pcap.uploaded} event after each upload, a heartbeat, and retention of the
 * node's {@code raw/} prefix.
 *
 * <pre>{@code
 * try (CaptureDaemon daemon = CaptureDaemon.builder()
 *         .node("node-a")
 *         .source(new ReplayCapture(List.of(demo), Pace.REALTIME, true))
 *         .s3(settings)
 *         .events(EventSender.from(env::get, "node-capture-daemon"))
 *         .spoolDir(dir)
 *         .build()) {
 *     daemon.start();
 *     ...
 * }
 * }</pre>
 */
public final class CaptureDaemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CaptureDaemon.class);

    private final Builder config;
    private final String node;
    private final String sessionId;
    private final S3Client s3;
    private final HeartbeatStore heartbeats;
    private final ChunkStore chunks;
    private final boolean ownsS3;
    private final ChunkUploader uploader;
    private final Spool spool;
    private final CaptureMetrics metrics;
    private final long startedMillis = System.currentTimeMillis();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong packets = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong kernelDrops = new AtomicLong();
    private final AtomicLong chunksUploaded = new AtomicLong();
    private final AtomicReference<String> lastChunkKey = new AtomicReference<>();
    private final Object wake = new Object();
    private final List<Thread> sourceThreads = new ArrayList<>();
    private final AtomicReference<Throwable> sourceFailure = new AtomicReference<>();
    private CountDownLatch sourcesDone;
    private Thread uploaderThread;
    private Thread housekeeping;
    private volatile boolean stopping;
    private volatile boolean closed;

    private CaptureDaemon(Builder b) {
        this.config = b;
        this.node = Names.require("node", b.node);
        this.sessionId = b.sessionId != null ? b.sessionId : UUID.randomUUID().toString();
        if (b.s3Client != null) {
            this.s3 = b.s3Client;
            this.ownsS3 = false;
        } else {
            this.s3 = Objects.requireNonNull(b.s3, "s3 settings or client").client();
            this.ownsS3 = true;
        }
        String bucket = b.s3Client != null ? Objects.requireNonNull(b.bucket, "bucket") : b.s3.bucket();
        this.uploader = new ChunkUploader(s3, bucket, b.multipartThreshold, b.partSize, b.verifyEtag);
        this.heartbeats = new HeartbeatStore(s3, bucket);
        this.chunks = new ChunkStore(s3, bucket);
        this.spool = new Spool(Objects.requireNonNull(b.spoolDir, "spoolDir"), node, b.spoolCapBytes);
        this.metrics = new CaptureMetrics(b.meterRegistry, node, spool::bytes, spool::droppedChunks, spool::droppedPackets);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String node() {
        return node;
    }

    public String sessionId() {
        return sessionId;
    }

    public String mode() {
        return config.sources.isEmpty() ? ChunkMeta.LIVE : config.sources.getFirst().mode();
    }

    public Spool spool() {
        return spool;
    }

    /** Recovers what a previous run left in the spool, then starts capture, upload and housekeeping. */
    public synchronized CaptureDaemon start() throws IOException {
        if (sourcesDone != null) throw new IllegalStateException("already started");
        if (config.sources.isEmpty() && !config.uploadOnly) throw new IllegalStateException("no packet source: give live interfaces or replay files");
        int recovered = spool.recover(mode(), interfaces());
        if (recovered > 0) log.info("{}: recovered {} chunks left in the spool by an earlier run", node, recovered);
        // before the threads that read it (the uploader's end, the heartbeat's uploaded-through)
        sourcesDone = new CountDownLatch(config.sources.size());
        uploaderThread = Thread.ofPlatform().name("upload-" + node).start(this::uploadLoop);
        housekeeping = Thread.ofPlatform().daemon().name("housekeeping-" + node).start(this::housekeepingLoop);
        for (PacketSource source : config.sources) {
            // one per source: a chunk's meta names the interface it came from, not every one
            PacketSource.Chunks chunks = new PacketSource.Chunks() {
                @Override
                public Rotation rotation() {
                    return config.rotation;
                }

                @Override
                public int snaplen() {
                    return config.snaplen;
                }

                @Override
                public Path newPart() {
                    return spool.newPart(sessionId, sequence.incrementAndGet());
                }

                @Override
                public void closed(Path part, long openedNanos, long drops) throws IOException {
                    chunkClosed(part, openedNanos, drops, source.interfaces());
                }
            };
            sourceThreads.add(Thread.ofPlatform().name("capture-" + node + "-" + source.interfaces().getFirst()).start(() -> {
                try {
                    source.run(chunks);
                } catch (Throwable t) {
                    sourceFailure.compareAndSet(null, t);
                    log.error("{}: capture from {} failed", node, source.interfaces(), t);
                } finally {
                    sourcesDone.countDown();
                }
            }));
        }
        log.info("{}: capture session {} started ({} of {}), spool {} (cap {} bytes), rotation {} bytes / {}",
                node, sessionId, mode(), interfaces(), spool.dir(), spool.capBytes(), config.rotation.maxBytes(), config.rotation.maxAge());
        writeHeartbeat(true);
        return this;
    }

    public List<String> interfaces() {
        return config.sources.stream().flatMap(s -> s.interfaces().stream()).toList();
    }

    private void chunkClosed(Path part, long openedNanos, long drops, List<String> interfaces) throws IOException {
        kernelDrops.addAndGet(drops);
        metrics.kernelDrops.increment(drops);
        Map<String, dev.trawl.core.chunk.Workload> table = config.workloads.tableSince(openedNanos);
        var meta = spool.close(part, new Spool.ChunkInfo(sessionId, mode(), interfaces, drops, table));
        if (meta.isEmpty()) return;
        ChunkMeta m = meta.get();
        packets.addAndGet(m.packets());
        bytes.addAndGet(m.bytes());
        metrics.packets.increment(m.packets());
        metrics.bytes.increment(m.bytes());
        metrics.chunksClosed.increment();
        log.debug("{}: closed {} ({} packets, {} bytes)", node, m.key(), m.packets(), m.bytes());
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void uploadLoop() {
        long backoff = config.initialBackoff.toMillis();
        while (true) {
            List<Spool.Pending> pending;
            try {
                pending = spool.pending();
            } catch (IOException e) {
                log.error("{}: cannot list the spool {}", node, spool.dir(), e);
                pending = List.of();
            }
            if (pending.isEmpty()) {
                if (stopping && sourcesDone.getCount() == 0) return;
                synchronized (wake) {
                    try {
                        wake.wait(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                continue;
            }
            for (Spool.Pending chunk : pending) {
                if (closed) return;
                try {
                    upload(chunk);
                    backoff = config.initialBackoff.toMillis();
                } catch (Exception e) {
                    metrics.uploadFailures.increment();
                    log.warn("{}: upload of {} failed, retrying in {} ms: {}", node, chunk.key(), backoff, e.toString());
                    spool.release();
                    if (!sleep(backoff)) return;
                    backoff = Math.min(backoff * 2, config.maxBackoff.toMillis());
                    break; // re-list: the cap may have dropped chunks meanwhile
                }
            }
        }
    }

    private void upload(Spool.Pending chunk) throws IOException {
        if (!spool.claim(chunk)) return; // dropped by the cap
        ChunkMeta meta = ChunkMeta.fromJson(Files.readAllBytes(chunk.meta()));
        long started = System.nanoTime();
        uploader.upload(chunk.pcap(), chunk.key(), "application/vnd.tcpdump.pcap",
                Map.of("sha256", meta.sha256(), "packets", Long.toString(meta.packets()), "session", meta.sessionId()));
        uploader.upload(meta.toJson(), meta.metaKey(), "application/json");
        metrics.uploadLatency.record(Duration.ofNanos(System.nanoTime() - started));
        sendEvent(meta);
        // only now: S3 confirmed both objects (a crash before this line re-uploads under the same keys)
        spool.remove(chunk);
        chunksUploaded.incrementAndGet();
        metrics.chunksUploaded.increment();
        lastChunkKey.set(meta.key());
        log.debug("{}: uploaded {}", node, meta.key());
    }

    private void sendEvent(ChunkMeta meta) {
        EventSender events = config.events;
        if (events == null) return;
        long backoff = config.initialBackoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                events.send(TrawlEvents.PCAP_UPLOADED, meta.key(), PcapUploaded.of(meta), node);
                return;
            } catch (IOException | RuntimeException e) {
                if (attempt >= config.eventAttempts || closed) {
                    // the chunk is safe in S3 either way; its listing still finds it
                    metrics.eventFailures.increment();
                    log.error("{}: pcap.uploaded for {} not accepted after {} attempts: {}", node, meta.key(), attempt, e.toString());
                    return;
                }
                if (!sleep(backoff)) return;
                backoff = Math.min(backoff * 2, config.maxBackoff.toMillis());
            }
        }
    }

    private void housekeepingLoop() {
        long nextHeartbeat = 0, nextRetention = 0, nextLog = System.currentTimeMillis() + config.logInterval.toMillis();
        while (!closed) {
            long now = System.currentTimeMillis();
            try {
                if (now >= nextHeartbeat && !stopping) {
                    writeHeartbeat(true);
                    nextHeartbeat = now + config.heartbeatInterval.toMillis();
                }
                if (now >= nextRetention && config.retention != null) {
                    // first: with S3 away, the next attempt waits its interval instead of the next 200 ms turn
                    nextRetention = now + config.retentionInterval.toMillis();
                    enforceRetention(now);
                }
                if (now >= nextLog) {
                    logStats();
                    nextLog = now + config.logInterval.toMillis();
                }
                config.workloads.forgetBefore((now - 2 * config.rotation.maxAge().toMillis() - 60_000) * 1_000_000L);
            } catch (RuntimeException e) {
                log.warn("{}: housekeeping: {}", node, e.toString());
            }
            if (!sleep(200)) return;
        }
    }

    private void logStats() {
        log.info("{}: packets={} bytes={} kernelDrops={} spoolDroppedChunks={} spoolDroppedPackets={} chunksUploaded={} spoolBytes={} uploadP50ms={}",
                node, packets.get(), bytes.get(), kernelDrops.get(), spool.droppedChunks(), spool.droppedPackets(),
                chunksUploaded.get(), spool.bytes(), Math.round(metrics.uploadLatency.mean(TimeUnit.MILLISECONDS)));
    }

    /** Deletes this node's chunks (and metas) whose last packet is older than the retention window. */
    public int enforceRetention(long nowMillis) {
        long cutoff = (nowMillis - config.retention.toMillis()) * 1_000_000L;
        int deleted = chunks.deleteEndedBefore(node, cutoff);
        if (deleted > 0) log.info("{}: retention ({}) deleted {} chunks from raw/", node, config.retention, deleted);
        return deleted;
    }

    public Heartbeat heartbeat(boolean enabled) {
        long now = System.currentTimeMillis();
        return new Heartbeat(node, enabled, sessionId, mode(), startedMillis, now,
                packets.get(), bytes.get(), kernelDrops.get(), spool.droppedChunks(), spool.droppedPackets(),
                chunksUploaded.get(), spool.bytes(), spool.capBytes(), interfaces(), lastChunkKey.get(),
                uploadedThroughMillis(now));
    }

    /**
     * Until when everything captured is in S3. Only a finished source with an empty spool vouches
     * for "now": a running capture may hold packets in its open chunk, so it vouches only for the
     * end of its latest uploaded chunk.
     */
    private long uploadedThroughMillis(long now) {
        boolean idle;
        try {
            idle = sourcesDone.getCount() == 0 && spool.pending().isEmpty();
        } catch (IOException e) {
            idle = false;
        }
        if (idle) return now;
        String last = lastChunkKey.get();
        return last == null ? 0 : S3Layout.parseChunkKey(last).map(k -> k.endNanos() / 1_000_000L).orElse(0L);
    }

    private void writeHeartbeat(boolean enabled) {
        try {
            heartbeats.write(heartbeat(enabled));
        } catch (RuntimeException e) {
            log.warn("{}: heartbeat not written: {}", node, e.toString());
        }
    }

    /** Waits until the sources ended (a replay without loop) and the spool is empty. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!sourcesDone.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) return false;
        while (System.nanoTime() < deadline) {
            try {
                if (spool.pending().isEmpty()) return true;
            } catch (IOException e) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** A source's failure, if one failed (e.g. no permission to capture). */
    public Throwable failure() {
        return sourceFailure.get();
    }

    /**
     * Stops capture (the open chunk closes), uploads what the spool holds within the drain
     * timeout, writes a last heartbeat ({@code enabled=false}). What could not be uploaded stays
     * in the spool for the next start.
     */
    @Override
    public void close() throws InterruptedException {
        if (closed) return;
        stopping = true;
        // at once: a live source lets the kernel hand over its buffer before it stops
        List<Thread> stops = config.sources.stream().map(source -> Thread.ofVirtual().start(source::stop)).toList();
        for (Thread t : stops) t.join();
        for (Thread t : sourceThreads) t.join(10_000);
        if (uploaderThread != null) {
            synchronized (wake) {
                wake.notifyAll();
            }
            uploaderThread.join(config.drainTimeout.toMillis());
        }
        closed = true;
        if (uploaderThread != null) {
            uploaderThread.interrupt();
            uploaderThread.join(5_000);
        }
        if (housekeeping != null) housekeeping.interrupt();
        if (sourcesDone != null) {
            logStats();
            writeHeartbeat(false);
        }
        if (ownsS3) s3.close();
    }

    private boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static final class Builder {
        private String node;
        private String sessionId;
        private final List<PacketSource> sources = new ArrayList<>();
        private boolean uploadOnly;
        private S3Settings s3;
        private S3Client s3Client;
        private String bucket;
        private EventSender events;
        private Path spoolDir;
        private Rotation rotation = Rotation.DEFAULT;
        private int snaplen = 262_144;
        private long spoolCapBytes = 2L << 30;
        private long multipartThreshold = 16L << 20;
        private int partSize = 8 << 20;
        private Duration retention = Duration.ofHours(24);
        private Duration retentionInterval = Duration.ofMinutes(1);
        private Duration heartbeatInterval = Duration.ofSeconds(5);
        private Duration logInterval = Duration.ofSeconds(60);
        private Duration initialBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration drainTimeout = Duration.ofSeconds(30);
        private int eventAttempts = 5;
        private boolean verifyEtag = true;
        private WorkloadTable workloads = WorkloadTable.none();
        private MeterRegistry meterRegistry = new SimpleMeterRegistry();

        private Builder() {}

        /** The node name: {@code raw/<node>/} and {@code nodes/<node>/}. */
        public Builder node(String node) { this.node = node; return this; }

        /** Fixed session id (default: a random UUID per start). */
        public Builder sessionId(String id) { this.sessionId = id; return this; }

        /** No packet source: the daemon only uploads what an earlier run left in the spool (TRAWL_CAPTURE_MODE=off). */
        public Builder uploadOnly() { this.uploadOnly = true; return this; }

        /** A packet source; several live interfaces are several sources. */
        public Builder source(PacketSource source) { this.sources.add(Objects.requireNonNull(source)); return this; }

        public Builder s3(S3Settings settings) { this.s3 = settings; return this; }

        /** A client the caller owns (not closed by the daemon) and its bucket. */
        public Builder s3(S3Client client, String bucket) { this.s3Client = client; this.bucket = bucket; return this; }

        /** Where {@code pcap.uploaded} goes; null sends none. */
        public Builder events(EventSender events) { this.events = events; return this; }

        public Builder spoolDir(Path dir) { this.spoolDir = dir; return this; }

        public Builder rotation(Rotation rotation) { this.rotation = Objects.requireNonNull(rotation); return this; }

        public Builder snaplen(int snaplen) {
            if (snaplen < 64 || snaplen > 262_144) throw new IllegalArgumentException("snaplen must be 64..262144, not " + snaplen);
            this.snaplen = snaplen;
            return this;
        }

        /** The spool's size cap; over it the oldest chunks are dropped (and counted). */
        public Builder spoolCapBytes(long bytes) { this.spoolCapBytes = bytes; return this; }

        /** Chunks larger than this go up as multipart uploads of {@code partSize} parts. */
        public Builder multipart(long threshold, int partSize) { this.multipartThreshold = threshold; this.partSize = partSize; return this; }

        /** How long {@code raw/<node>/} keeps chunks; null disables retention. */
        public Builder retention(Duration retention) { this.retention = retention; return this; }

        public Builder retentionInterval(Duration every) { this.retentionInterval = every; return this; }

        public Builder heartbeatInterval(Duration every) { this.heartbeatInterval = every; return this; }

        public Builder logInterval(Duration every) { this.logInterval = every; return this; }

        public Builder backoff(Duration initial, Duration max) { this.initialBackoff = initial; this.maxBackoff = max; return this; }

        public Builder drainTimeout(Duration timeout) { this.drainTimeout = timeout; return this; }

        public Builder eventAttempts(int attempts) { this.eventAttempts = Math.max(1, attempts); return this; }

        /** Whether S3's ETag must equal the MD5 (turn off for SSE-KMS buckets). */
        public Builder verifyEtag(boolean verify) { this.verifyEtag = verify; return this; }

        public Builder workloads(WorkloadTable table) { this.workloads = Objects.requireNonNull(table); return this; }

        public Builder meterRegistry(MeterRegistry registry) { this.meterRegistry = Objects.requireNonNull(registry); return this; }

        public CaptureDaemon build() {
            return new CaptureDaemon(this);
        }
    }
}
