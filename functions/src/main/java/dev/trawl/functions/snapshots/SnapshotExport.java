package dev.trawl.functions.snapshots;

import dev.trawl.core.ApiDurations;
import dev.trawl.core.Names;
import dev.trawl.core.chunk.ChunkMeta;
import dev.trawl.core.chunk.Workload;
import dev.trawl.core.export.ChunkSequenceSource;
import dev.trawl.core.export.ChunkSequenceSource.Chunk;
import dev.trawl.core.export.EndpointFilter;
import dev.trawl.core.export.PacketMerge;
import dev.trawl.core.export.PacketSink;
import dev.trawl.core.export.PcapSink;
import dev.trawl.core.export.PcapngSink;
import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.snapshot.SnapshotManifest;
import dev.trawl.core.snapshot.SnapshotManifest.SnapshotObject;
import dev.trawl.core.snapshot.SnapshotStatus;
import dev.trawl.core.snapshot.SnapshotStore;
import dev.trawl.core.snapshot.WorkloadScope;
import dev.trawl.functions.web.ApiException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /mcp/snapshots/:name/pcap}: the snapshot's chunks merged across nodes in timestamp
 * order, streamed from S3 (one open chunk and one bounded buffer per node, whatever the
 * snapshot's size), clipped to its window and Kubeshark's filters ({@code nodes},
 * {@code start_time}, {@code end_time} in ms, {@code bpf_filter}); classic pcap, or pcapng with
 * one interface per node. The output for the same request is always the same bytes, which is
 * what lets a download resume with {@code Range}.
 */
public final class SnapshotExport {
    private static final Logger log = LoggerFactory.getLogger(SnapshotExport.class);
    public static final String PCAP_TYPE = "application/vnd.tcpdump.pcap";
    public static final String PCAPNG_TYPE = "application/x-pcapng";
    /** The tag (x-amz-tagging form) every cached export carries. */
    static final String CACHE_TAG = "trawl-cache=export";

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final SnapshotService snapshots;
    private final SnapshotStore store;
    private final Duration presignValidity;
    private final Duration cacheTtl;
    private final Clock clock;
    private volatile boolean tagging = true;

    /** {@code cacheTtl}: how long a presigned export's object is kept under {@code .exports/} and handed out again. */
    public SnapshotExport(S3Client s3, S3Presigner presigner, String bucket, SnapshotService snapshots, SnapshotStore store,
            Duration presignValidity, Duration cacheTtl, Clock clock) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.snapshots = snapshots;
        this.store = store;
        this.presignValidity = presignValidity;
        this.cacheTtl = cacheTtl;
        this.clock = clock;
    }

    /** Deletes every snapshot's cached exports older than the TTL; how many. */
    public int sweepExportCache() {
        Instant cutoff = clock.instant().minus(cacheTtl);
        int deleted = 0;
        for (String name : store.names()) deleted += store.deleteExportsWrittenBefore(name, cutoff);
        if (deleted > 0) log.info("export cache: {} exports older than {} deleted", deleted, ApiDurations.format(cacheTtl.toMillis()));
        return deleted;
    }

    /** Sweeps the export cache every quarter of its TTL (at most every 15 minutes) until closed. */
    public AutoCloseable sweepPeriodically() {
        long everyMs = Math.max(1_000, Math.min(cacheTtl.toMillis() / 4, Duration.ofMinutes(15).toMillis()));
        var timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("export-cache-sweep").factory());
        timer.scheduleWithFixedDelay(() -> {
            try {
                sweepExportCache();
            } catch (RuntimeException e) {
                log.warn("export cache sweep failed, trying again in {} ms: {}", everyMs, e.toString());
            }
        }, everyMs, everyMs, java.util.concurrent.TimeUnit.MILLISECONDS);
        return timer::shutdownNow;
    }

    public enum Format {
        PCAP("pcap", PCAP_TYPE), PCAPNG("pcapng", PCAPNG_TYPE);

        final String extension;
        final String contentType;

        Format(String extension, String contentType) {
            this.extension = extension;
            this.contentType = contentType;
        }

        public String contentType() {
            return contentType;
        }

        public String extension() {
            return extension;
        }

        static Format of(String s) {
            if (s == null || s.isBlank() || s.equals("pcap")) return PCAP;
            if (s.equals("pcapng")) return PCAPNG;
            throw new ApiException.BadRequest("format '" + s + "' is not known: use pcap or pcapng");
        }
    }

    /** What was asked, as the query parameters give it (all optional but the name). */
    public record Request(String name, String nodes, String startTime, String endTime, String bpfFilter, String format, WorkloadScope scope) {
        public Request(String name, String nodes, String startTime, String endTime, String bpfFilter, String format) {
            this(name, nodes, startTime, endTime, bpfFilter, format, WorkloadScope.NONE);
        }
    }

    /** A checked, ready export: everything that can fail with a 4xx has failed before a byte is sent. */
    public record Plan(SnapshotManifest manifest, List<SnapshotObject> objects, long fromNanos, long toNanos, Format format,
            int pcapLinkType, String bpfFilter, WorkloadScope scope, long length, String fingerprint) {
        public String fileName() {
            return manifest.name() + "." + format.extension;
        }
    }

    public Plan plan(Request request) {
        SnapshotManifest m = snapshots.manifest(request.name());
        if (m.status().isUnfinished()) {
            throw new ApiException.Conflict("snapshot '" + m.name() + "' is still " + m.status().words() + ": export it once it is completed");
        }
        if (m.status() == SnapshotStatus.FAILED) {
            throw new ApiException.Conflict("snapshot '" + m.name() + "' failed and holds nothing to export: " + m.error());
        }
        List<String> nodes = parseNodes(request.nodes(), m);
        long from = m.window().startNanos();
        long to = m.window().endNanos();
        if (request.startTime() != null && !request.startTime().isBlank()) from = Math.max(from, millis("start_time", request.startTime()) * 1_000_000L);
        if (request.endTime() != null && !request.endTime().isBlank()) to = Math.min(to, millis("end_time", request.endTime()) * 1_000_000L + 999_999L);
        if (from > to) {
            throw new ApiException.BadRequest("start_time/end_time select nothing of the snapshot's window " + m.window().startMs() + "–"
                    + m.window().endMs());
        }
        long f = from;
        long t = to;
        List<SnapshotObject> objects = m.objects().stream()
                .filter(o -> nodes.isEmpty() || nodes.contains(o.node()))
                .filter(o -> o.endNanos() >= f && o.startNanos() <= t)
                .toList();
        Format format = Format.of(request.format());
        var linkTypes = new TreeSet<Integer>();
        for (SnapshotObject o : objects) if (o.linkType() != null) linkTypes.add(o.linkType());
        if (format == Format.PCAP && linkTypes.size() > 1) {
            var byNode = new TreeMap<String, TreeSet<Integer>>();
            for (SnapshotObject o : objects) if (o.linkType() != null) byNode.computeIfAbsent(o.node(), k -> new TreeSet<>()).add(o.linkType());
            throw new ApiException.BadRequest("the nodes' packets have different link types " + byNode
                    + ": a pcap file holds one; ask for format=pcapng (one interface per node)");
        }
        String bpf = request.bpfFilter() == null || request.bpfFilter().isBlank() ? null : request.bpfFilter();
        if (bpf != null) {
            // compile now so that a bad expression is a 400, not a broken download
            BpfFilter.compile(bpf, linkTypes.isEmpty() ? java.util.Set.of(1) : linkTypes).close();
        }
        boolean whole = from == m.window().startNanos() && to == m.window().endNanos();
        WorkloadScope scope = request.scope() == null ? WorkloadScope.NONE : request.scope();
        long length = format == Format.PCAP && bpf == null && scope.isEmpty() && whole ? m.pcapExportSize(nodes) : -1;
        int linkType = linkTypes.isEmpty() ? 1 : linkTypes.first();
        String fingerprint = fingerprint(m, nodes, from, to, bpf + "\n" + scope, format);
        return new Plan(m, objects, from, to, format, linkType, bpf, scope, length, fingerprint);
    }

    /** Writes the export; returns the packets written. Stops early (not an error) when {@code out} says the range is done. */
    public long write(Plan plan, OutputStream out) throws IOException {
        List<ChunkSequenceSource> sources = new ArrayList<>();
        var byNode = new TreeMap<String, List<Chunk>>();
        for (SnapshotObject o : plan.objects()) {
            String key = o.key();
            PacketMerge.PacketFilter keep = null;
            if (!plan.scope().isEmpty()) {
                // the scope's addresses as this chunk's own workload table had them
                var inScope = new EndpointFilter(plan.scope().addresses(workloadsOf(key)));
                if (inScope.isEmpty()) continue;
                keep = inScope;
            }
            byNode.computeIfAbsent(o.node(), k -> new ArrayList<>())
                    .add(new Chunk(key, o.startNanos(), o.endNanos(), () -> s3.getObject(b -> b.bucket(bucket).key(key)), keep));
        }
        for (var e : byNode.entrySet()) {
            for (List<Chunk> lane : ChunkSequenceSource.lanes(e.getValue())) {
                sources.add(new ChunkSequenceSource(e.getKey(), lane, plan.fromNanos(), plan.toNanos()));
            }
        }
        BpfFilter filter = plan.bpfFilter() == null ? null : BpfFilter.compile(plan.bpfFilter(), java.util.Set.of());
        try (PacketSink sink = plan.format() == Format.PCAPNG ? new PcapngSink(out, "trawl") : new PcapSink(out, plan.pcapLinkType())) {
            return PacketMerge.merge(sources, sink, filter);
        } finally {
            if (filter != null) filter.close();
            for (var s : sources) s.close();
        }
    }

    /**
     * Writes the export once into the snapshot's own folder (a multipart upload in fixed-size
     * parts) and answers a presigned GET URL for it: S3 then serves the download, with Range,
     * without this function in the path. The same request reuses the same object while it is
     * younger than the cache TTL; the URL expires before the object does. The snapshot's stale
     * exports are deleted first.
     */
    public SnapshotAnswers.Presigned presign(Plan plan) throws IOException {
        String key = store.exportKey(plan.manifest().name(), plan.fingerprint(), plan.format().extension);
        Instant now = clock.instant();
        store.deleteExportsWrittenBefore(plan.manifest().name(), now.minus(cacheTtl));
        long size = -1;
        Instant written = now;
        try {
            var head = s3.headObject(b -> b.bucket(bucket).key(key));
            // one that would expire within a minute is made again rather than handed out
            if (head.lastModified().isAfter(now.minus(cacheTtl).plus(Duration.ofMinutes(1)))) {
                size = head.contentLength();
                written = head.lastModified();
            }
        } catch (NoSuchKeyException e) {
            // not cached
        } catch (S3Exception e) {
            if (e.statusCode() != 404) throw e;
        }
        if (size < 0) size = upload(plan, key);
        Duration left = cacheTtl.minus(Duration.between(written, now));
        Duration validity = left.compareTo(presignValidity) < 0 ? left : presignValidity;
        var presigned = presigner.presignGetObject(p -> p.signatureDuration(validity)
                .getObjectRequest(g -> g.bucket(bucket).key(key).responseContentType(plan.format().contentType)
                        .responseContentDisposition("attachment; filename=\"" + plan.fileName() + "\"")));
        return new SnapshotAnswers.Presigned(true, plan.manifest().name(), presigned.url().toString(),
                now.plus(validity).toString(), size, plan.format().extension);
    }

    private long upload(Plan plan, String key) throws IOException {
        String uploadId = createUpload(key, plan.format().contentType);
        try (var out = new MultipartOutputStream(uploadId, key)) {
            write(plan, out);
            out.finish();
            return out.total;
        } catch (IOException | RuntimeException e) {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            throw e;
        }
    }

    /**
     * The bucket's lifecycle rule (terraform/modules/s3-bucket) expires objects by the cache tag:
     * without it a cached export the functions' own sweep misses is kept for ever. A store that
     * does not implement tagging (s3proxy answers 501) gets untagged exports; the sweep remains.
     */
    private String createUpload(String key, String contentType) {
        if (tagging) {
            try {
                return s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType).tagging(CACHE_TAG)).uploadId();
            } catch (S3Exception e) {
                if (e.statusCode() != 501) throw e;
                tagging = false;
                log.warn("export cache: the S3 store does not implement object tagging, cached exports are not tagged {}", CACHE_TAG);
            }
        }
        return s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType)).uploadId();
    }

    /** Buffers one part (8 MiB) at a time: the upload's memory is fixed whatever the export's size. */
    private final class MultipartOutputStream extends OutputStream {
        private static final int PART = 8 << 20;
        private final String uploadId;
        private final String key;
        private final byte[] buffer = new byte[PART];
        private int used;
        private final List<CompletedPart> parts = new ArrayList<>();
        long total;
        private boolean finished;

        MultipartOutputStream(String uploadId, String key) {
            this.uploadId = uploadId;
            this.key = key;
        }

        @Override
        public void write(int b) throws IOException {
            if (used == PART) sendPart();
            buffer[used++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (used == PART) sendPart();
                int n = Math.min(len, PART - used);
                System.arraycopy(b, off, buffer, used, n);
                used += n;
                off += n;
                len -= n;
            }
        }

        private void sendPart() {
            int number = parts.size() + 1;
            var response = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number),
                    RequestBody.fromBytes(Arrays.copyOf(buffer, used)));
            parts.add(CompletedPart.builder().partNumber(number).eTag(response.eTag()).build());
            total += used;
            used = 0;
        }

        void finish() {
            if (used > 0 || parts.isEmpty()) sendPart();
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(u -> u.parts(parts)));
            finished = true;
        }

        @Override
        public void close() {
            // the sink closes its stream when the merge ends; the upload is completed by finish()
        }
    }

    /** The workload scope of comma lists; a bad one is a 400. */
    public static WorkloadScope scope(String services, String namespaces, String pods) {
        try {
            return WorkloadScope.parse(services, namespaces, pods);
        } catch (IllegalArgumentException e) {
            throw new ApiException.BadRequest(e.getMessage() + "; name services, namespaces and pods as list_workloads shows them");
        }
    }

    /** The workload table of a snapshot's chunk copy, from the meta copied beside it (none: an empty table). */
    private Map<String, Workload> workloadsOf(String objectKey) {
        try {
            return ChunkMeta.fromJson(s3.getObjectAsBytes(b -> b.bucket(bucket).key(S3Layout.chunkMetaKey(objectKey))).asByteArray()).workloads();
        } catch (NoSuchKeyException e) {
            return Map.of();
        }
    }

    private static List<String> parseNodes(String text, SnapshotManifest m) {
        if (text == null || text.isBlank()) return List.of();
        var present = new TreeSet<String>();
        for (SnapshotObject o : m.objects()) present.add(o.node());
        List<String> nodes = new ArrayList<>();
        for (String n : text.split(",")) {
            String node = Names.require("node", n.trim());
            if (!present.contains(node)) {
                throw new ApiException.BadRequest("node '" + node + "' has no data in snapshot '" + m.name() + "' (its nodes: " + present + ")");
            }
            if (!nodes.contains(node)) nodes.add(node);
        }
        return nodes;
    }

    private static long millis(String field, String text) {
        try {
            long v = Long.parseLong(text.trim());
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new ApiException.BadRequest(field + " '" + text + "' must be milliseconds since the epoch");
        }
    }

    private static String fingerprint(SnapshotManifest m, List<String> nodes, long from, long to, String bpf, Format format) {
        String text = String.join("\n", m.name(), Objects.toString(m.completedAt()), String.join(",", new TreeSet<>(nodes)),
                Long.toString(from), Long.toString(to), Objects.toString(bpf), format.extension);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
