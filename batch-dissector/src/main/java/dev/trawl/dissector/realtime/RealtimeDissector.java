package dev.trawl.dissector.realtime;

import dev.trawl.core.Names;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.dissector.ChunkWorkloads;
import dev.trawl.dissector.Retry;
import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.DissectionStats;
import dev.trawl.engine.EngineSession;
import dev.trawl.engine.PcapSource;
import dev.trawl.dissector.job.DissectionJob;
import dev.trawl.dissector.load.CallsTable;
import dev.trawl.dissector.load.RowBinaryCalls;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Dissects each uploaded chunk into the {@code realtime} dataset. One lane per node: a node's
 * chunks are dissected one after the other, in the order their events arrive, through one engine
 * session kept open between them (entries still open at a chunk's end come out with a later chunk), so a request and its response in consecutive chunks still
 * meet. A chunk that starts before the previous one ended (a late or repeated event) gets a
 * fresh session; entry ids are deterministic, so a repeat folds into the same rows.
 */
public final class RealtimeDissector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RealtimeDissector.class);

    private final S3Client s3;
    private final String bucket;
    private final CallsTable calls;
    private final DissectionEngine engine;
    private final Retry retry;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    public RealtimeDissector(S3Client s3, String bucket, CallsTable calls, DissectionEngine engine, Retry retry) {
        this.s3 = s3;
        this.bucket = bucket;
        this.calls = calls;
        this.engine = engine;
        this.retry = retry;
    }

    /** Queues the chunk {@code key} ({@code raw/<node>/...}) on its node's lane; the future gives the rows loaded. */
    public CompletableFuture<Long> submit(String node, String key) {
        Names.require("node", node);
        var chunk = S3Layout.parseChunkKey(key)
                .filter(c -> c.node().equals(node))
                .orElseThrow(() -> new IllegalArgumentException("not a chunk key of node " + node + ": " + key));
        Lane lane = lanes.computeIfAbsent(node, Lane::new);
        return CompletableFuture.supplyAsync(() -> lane.dissect(chunk), lane.thread);
    }

    private final class Lane {
        final String node;
        final ExecutorService thread;
        final RowBinaryCalls batch = new RowBinaryCalls();
        EngineSession dissector;
        long lastEndNanos = Long.MIN_VALUE;

        Lane(String node) {
            this.node = node;
            this.thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("realtime-" + node).daemon(true).factory());
        }

        long dissect(S3Layout.ChunkKey chunk) {
            if (dissector == null || chunk.startNanos() < lastEndNanos) {
                // a late or repeated chunk: its packets would go back in time for the open session
                if (dissector != null) dissector.finish();
                dissector = engine.newSession(node, entry -> batch.add(S3Layout.REALTIME_DATASET, entry));
            }
            lastEndNanos = chunk.endNanos();
            try {
                DissectionStats before = dissector.stats();
                dissector.feed(PcapSource.stream(chunk.key(), -1,
                        () -> retry.run("reading " + chunk.key(), () -> s3.getObject(b -> b.bucket(bucket).key(chunk.key()))))
                        .withWorkloads(ChunkWorkloads.read(s3, bucket, chunk.key(), retry)));
                String damage = DissectionJob.damageBetween(before, dissector.stats());
                if (damage != null) log.warn("realtime {}: {}", chunk.key(), damage);
                return calls.insert(batch);
            } catch (Exception e) {
                // a lost chunk must not stop the lane: the next one starts a fresh session
                dissector = null;
                log.error("realtime {}: {}", chunk.key(), Retry.reason(e));
                throw new IllegalStateException("realtime dissection of " + chunk.key() + " failed: " + Retry.reason(e), e);
            } finally {
                batch.clear();
            }
        }
    }

    @Override
    public void close() {
        lanes.values().forEach(l -> {
            l.thread.shutdown();
            l.thread.shutdownNow();
        });
    }
}
