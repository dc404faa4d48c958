package dev.trawl.dissector.realtime;

import dev.trawl.core.Names;
import dev.trawl.core.realtime.RealtimeProgress;
import dev.trawl.core.realtime.RealtimeProgressStore;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Objects;
import dev.trawl.engine.DissectionEngine;
import dev.trawl.engine.DissectionStats;
import dev.trawl.engine.EngineSession;
import dev.trawl.engine.PcapSource;
import dev.trawl.dissector.ChunkWorkloads;
import dev.trawl.dissector.Retry;
import dev.trawl.dissector.job.DissectionJob;
import dev.trawl.dissector.load.CallsTable;
import dev.trawl.dissector.load.RowBinaryCalls;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Dissects each uploaded chunk into the {@code realtime} dataset, one lane per node: a node's
 * chunks one after the other in time order, through one engine session kept open between them,
 * so a request and its response in consecutive chunks still meet.
 *
 * <p>Guarantees: a chunk's event is answered (acknowledged) only once its rows are in ClickHouse;
 * the lane's progress (the last chunk done) is kept in S3 ({@link RealtimeProgressStore}), and
 * before a chunk the lane first dissects every chunk of {@code raw/<node>/} after the last one
 * done, so an event lost, late or cut off by a restart leaves no hole. A lane started again (a
 * new process) first re-reads the last chunk done without loading its entries, to pick up the
 * connections open at its end. A chunk that still fails after its retries is recorded as a gap
 * (key and reason), shown in {@code /mcp/databases}, and retried after later chunks. Entry ids
 * are deterministic, so a redelivered event folds into the same rows.
 *
 * <p>Bounds: a lane exists only for a node with a heartbeat or chunks in {@code raw/}; it ends
 * after {@code idle} without events; its queue holds at most {@code queueLimit} chunks (then
 * {@link LaneFullException}: the broker retries later); an event for an object that is not there
 * is a logged skip at once.
 */
public final class RealtimeDissector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RealtimeDissector.class);

    private final S3Client s3;
    private final String bucket;
    private final CallsTable calls;
    private final DissectionEngine engine;
    private final Retry retry;
    private final RealtimeProgressStore progress;
    private final S3Objects objects;
    private final Settings settings;
    private final Clock clock;
    private final Map<String, Lane> lanes = new ConcurrentHashMap<>();

    /** Queue bound per node, how long an idle lane lives, how soon a gap is tried again. */
    public record Settings(int queueLimit, Duration idle, Duration gapRetryAfter) {
        public static final Settings DEFAULT = new Settings(64, Duration.ofMinutes(5), Duration.ofMinutes(1));
    }

    public RealtimeDissector(S3Client s3, String bucket, CallsTable calls, DissectionEngine engine, Retry retry, Settings settings, Clock clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.calls = calls;
        this.engine = engine;
        this.retry = retry;
        this.progress = new RealtimeProgressStore(s3, bucket);
        this.objects = new S3Objects(s3, bucket);
        this.settings = settings;
        this.clock = clock;
    }

    /**
     * Queues the chunk {@code key} ({@code raw/<node>/...}) on its node's lane; the future gives
     * the rows loaded once they are in ClickHouse.
     *
     * @throws IllegalArgumentException not a chunk of that node, or a node trawl never heard of
     * @throws LaneFullException the node's queue is full
     */
    public CompletableFuture<Long> submit(String node, String key) {
        Names.require("node", node);
        var chunk = S3Layout.parseChunkKey(key)
                .filter(c -> c.node().equals(node))
                .orElseThrow(() -> new IllegalArgumentException("not a chunk key of node " + node + ": " + key));
        while (true) {
            Lane lane = lanes.computeIfAbsent(node, this::newLane);
            var done = lane.offer(chunk);
            if (done != null) return done;
            // the lane ended (idle) between lookup and offer: it is gone from the map, take a new one
        }
    }

    /** Lanes alive now (for tests and metrics). */
    public int lanes() {
        return lanes.size();
    }

    private Lane newLane(String node) {
        boolean known = retry.run("looking for node " + node, () ->
                objects.exists(S3Layout.heartbeatKey(node)) || objects.any(S3Layout.rawPrefix(node)));
        if (!known) throw new IllegalArgumentException("unknown node '" + node + "': no heartbeat and no chunks in raw/");
        return new Lane(node);
    }

    private record Work(S3Layout.ChunkKey chunk, CompletableFuture<Long> done) {}

    private final class Lane {
        final String node;
        final BlockingQueue<Work> queue = new ArrayBlockingQueue<>(settings.queueLimit());
        final RowBinaryCalls batch = new RowBinaryCalls();
        /** Flows that closed in the chunk being read; those still open carry on in the session. */
        final java.util.List<dev.trawl.engine.flow.Flow> flows = new java.util.ArrayList<>();
        private boolean ended;
        private boolean discarding;
        private EngineSession dissector;
        private long sessionEndNanos = Long.MIN_VALUE;
        /** The last chunk this lane's session read: if progress names another, a replica did chunks meanwhile. */
        private String sessionLastKey;
        private RealtimeProgress state;

        Lane(String node) {
            this.node = node;
            Thread.ofPlatform().name("realtime-" + node).daemon(true).start(this::loop);
        }

        /** Null when the lane has ended; the caller then takes a new one. */
        synchronized CompletableFuture<Long> offer(S3Layout.ChunkKey chunk) {
            if (ended) return null;
            var work = new Work(chunk, new CompletableFuture<>());
            if (!queue.offer(work)) throw new LaneFullException(node, settings.queueLimit());
            return work.done();
        }

        private void loop() {
            try {
                while (true) {
                    Work work = queue.poll(settings.idle().toMillis(), TimeUnit.MILLISECONDS);
                    if (work == null) {
                        synchronized (this) {
                            if (queue.isEmpty()) {
                                ended = true;
                                lanes.remove(node, this);
                                log.info("realtime {}: idle for {}, lane ended", node, settings.idle());
                                return;
                            }
                        }
                        continue;
                    }
                    try {
                        work.done().complete(dissect(work.chunk()));
                    } catch (RuntimeException e) {
                        work.done().completeExceptionally(e);
                    }
                }
            } catch (InterruptedException closing) {
                Thread.currentThread().interrupt();
            } finally {
                synchronized (this) {
                    ended = true;
                    lanes.remove(node, this);
                }
                queue.forEach(w -> w.done().completeExceptionally(new IllegalStateException("realtime lane of " + node + " stopped")));
            }
        }

        /** The chunk, after every chunk of the node not done before it; the rows this event's chunk loaded. */
        long dissect(S3Layout.ChunkKey chunk) {
            // read each time: another replica may have taken chunks of this node meanwhile
            state = progress.find(node);
            if (state.lastChunk() != null && chunk.startNanos() < state.lastEndNanos()) {
                log.debug("realtime {}: already dissected (a redelivery)", chunk.key());
                return 0;
            }
            if (!exists(chunk.key())) {
                log.warn("realtime {}: no such object, skipped", chunk.key());
                return 0;
            }
            long rows = 0;
            for (String key : pendingUpTo(chunk)) {
                long loaded = dissectOne(S3Layout.parseChunkKey(key).orElseThrow());
                if (key.equals(chunk.key())) rows = loaded;
            }
            retryOneGap();
            return rows;
        }

        /** Chunks of {@code raw/<node>/} after the last one done, up to {@code chunk}; keys sort by start time. */
        private List<String> pendingUpTo(S3Layout.ChunkKey chunk) {
            if (state.lastChunk() == null) return List.of(chunk.key());
            var keys = new ArrayList<String>();
            String after = state.lastChunk();
            for (S3Object o : retry.run("listing " + S3Layout.rawPrefix(node), () ->
                    s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(S3Layout.rawPrefix(node)).startAfter(after)).contents().stream().toList())) {
                var c = S3Layout.parseChunkKey(o.key());
                if (c.isEmpty() || !c.get().node().equals(node)) continue;
                if (o.key().compareTo(chunk.key()) > 0) break;
                keys.add(o.key());
            }
            if (!keys.contains(chunk.key())) keys.add(chunk.key());
            if (keys.size() > 1) log.info("realtime {}: {} chunk(s) before it not dissected yet, taken first", chunk.key(), keys.size() - 1);
            return keys;
        }

        /** One chunk through the lane's session, its rows loaded, the progress written; a failure becomes a gap. */
        private long dissectOne(S3Layout.ChunkKey chunk) {
            try {
                boolean continues = dissector != null && chunk.startNanos() >= sessionEndNanos
                        && java.util.Objects.equals(sessionLastKey, state.lastChunk());
                if (!continues) openSession(chunk);
                long rows = feed(chunk, false);
                state = progress.update(node, p -> p.withDone(chunk.key(), chunk.endNanos(), clock.instant()).withoutGap(chunk.key(), clock.instant()));
                return rows;
            } catch (RuntimeException e) {
                dissector = null;
                String reason = Retry.reason(e);
                log.error("realtime {}: {}; recorded as a gap, tried again later", chunk.key(), reason);
                state = progress.update(node, p -> p.withGap(chunk.key(), reason, clock.instant())
                        .withDone(chunk.key(), chunk.endNanos(), clock.instant()));
                return 0;
            }
        }

        /** The session's sink: entries and closed flows into this chunk's batches, nothing while a warm-up re-reads. */
        private dev.trawl.engine.EntrySink sink() {
            return new dev.trawl.engine.EntrySink() {
                @Override
                public void accept(dev.trawl.engine.Entry entry) {
                    if (!discarding) batch.add(S3Layout.REALTIME_DATASET, entry);
                }

                @Override
                public void acceptFlow(dev.trawl.engine.flow.Flow flow) {
                    if (!discarding) flows.add(flow);
                }
            };
        }

        /**
         * A new session. Resuming after the last chunk done (a restart), that chunk is read again
         * first without loading, so connections open at its end are picked up where they were.
         */
        private void openSession(S3Layout.ChunkKey next) {
            if (dissector != null) dissector.finish();
            dissector = engine.newSession(node, sink());
            sessionEndNanos = Long.MIN_VALUE;
            sessionLastKey = null;
            String last = state.lastChunk();
            var previous = last == null ? null : S3Layout.parseChunkKey(last).orElse(null);
            if (previous != null && previous.endNanos() <= next.startNanos() && exists(previous.key())) {
                discarding = true;
                try {
                    feed(previous, true);
                } catch (RuntimeException e) {
                    // only the connections open across the restart are lost; the chunk itself is done
                    log.warn("realtime {}: re-reading it to pick up open connections failed: {}", previous.key(), Retry.reason(e));
                } finally {
                    discarding = false;
                    batch.clear();
                }
            }
        }

        private long feed(S3Layout.ChunkKey chunk, boolean warmUp) {
            try {
                DissectionStats before = dissector.stats();
                dissector.feed(PcapSource.stream(chunk.key(), -1,
                        () -> retry.run("reading " + chunk.key(), () -> s3.getObject(b -> b.bucket(bucket).key(chunk.key()))))
                        .withWorkloads(ChunkWorkloads.read(s3, bucket, chunk.key(), retry)));
                sessionEndNanos = chunk.endNanos();
                sessionLastKey = chunk.key();
                if (warmUp) return 0;
                String damage = DissectionJob.damageBetween(before, dissector.stats());
                if (damage != null) log.warn("realtime {}: {}", chunk.key(), damage);
                long inserted = calls.insert(batch);
                calls.insertFlows(S3Layout.REALTIME_DATASET, flows);
                return inserted;
            } catch (java.io.IOException e) {
                throw new Retry.RemoteFailure("reading " + chunk.key() + ": " + Retry.reason(e), e);
            } finally {
                batch.clear();
                flows.clear();
            }
        }

        /** The oldest gap tried long enough ago, in a session of its own (its rows fold by id if partly there). */
        private void retryOneGap() {
            var due = state.gaps().stream()
                    .filter(g -> g.recordedAt() == null || g.recordedAt().plus(settings.gapRetryAfter()).isBefore(clock.instant()))
                    .findFirst();
            if (due.isEmpty()) return;
            var gap = S3Layout.parseChunkKey(due.get().key()).orElse(null);
            if (gap == null || !exists(gap.key())) {
                state = progress.update(node, p -> p.withoutGap(due.get().key(), clock.instant()));
                return;
            }
            EngineSession session = dissector;
            long sessionEnd = sessionEndNanos;
            String sessionLast = sessionLastKey;
            dissector = engine.newSession(node, sink());
            try {
                feed(gap, false);
                dissector.finish();
                calls.insert(batch);
                calls.insertFlows(S3Layout.REALTIME_DATASET, flows);
                flows.clear();
                state = progress.update(node, p -> p.withoutGap(gap.key(), clock.instant()));
                log.info("realtime {}: gap filled", gap.key());
            } catch (RuntimeException e) {
                String reason = Retry.reason(e);
                state = progress.update(node, p -> p.withGap(gap.key(), reason, clock.instant()));
            } finally {
                batch.clear();
                dissector = session;
                sessionEndNanos = sessionEnd;
                sessionLastKey = sessionLast;
            }
        }

        private boolean exists(String key) {
            return retry.run("looking for " + key, () -> objects.exists(key));
        }
    }

    /** A node's queue is full: the event is refused (429), and the broker delivers it again later. */
    public static final class LaneFullException extends RuntimeException {
        public LaneFullException(String node, int limit) {
            super("the real-time lane of node " + node + " has " + limit + " chunks waiting; try again later");
        }
    }

    @Override
    public void close() {
        // lanes are daemon threads; pending events are answered with an error so the broker redelivers them
        lanes.values().forEach(l -> l.queue.forEach(w -> w.done().completeExceptionally(new IllegalStateException("shutting down"))));
    }
}
