package dev.trawl.functions.snapshots;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.pcap.PcapReader;
import dev.trawl.embedded.EmbeddedS3;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The first seed's endpoints on a real S3 (s3proxy) with real captures replayed as three nodes,
 * checked against the reference tools (capinfos, tshark, mergecap, tcpdump) where they judge.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SnapshotsApiTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Path WORK;
    static final EmbeddedS3 S3;
    static final long NOW_MS = System.currentTimeMillis();
    /** Node → its chunks, as the daemon would have written them. */
    static final Map<String, List<RawChunks.Written>> NODES = new java.util.TreeMap<>();
    static final AtomicLong CLOCK_OFFSET_MS = new AtomicLong();

    static {
        try {
            WORK = Files.createTempDirectory("snapshots-api");
            S3 = EmbeddedS3.startForTest(WORK.resolve("s3"));
            try (S3Client s3 = S3.client()) {
                // three nodes, each a real capture re-timed so that it ends about a minute before now
                long endNs = (NOW_MS - 60_000) * 1_000_000L;
                NODES.put("node-a", RawChunks.write(s3, "trawl", WORK.resolve("chunks"), "node-a", RawChunks.capture("PcapPlusPlus/example.pcap"),
                        4, RawChunks.startingAt(RawChunks.capture("PcapPlusPlus/example.pcap"), endNs - 16_000_000_000L)));
                NODES.put("node-b", RawChunks.write(s3, "trawl", WORK.resolve("chunks"), "node-b", RawChunks.capture("PcapPlusPlus/4KHttpRequests.pcap"),
                        3, RawChunks.startingAt(RawChunks.capture("PcapPlusPlus/4KHttpRequests.pcap"), endNs - 600_000_000_000L)));
                NODES.put("node-c", RawChunks.write(s3, "trawl", WORK.resolve("chunks"), "node-c", RawChunks.capture("PcapPlusPlus/DnsPackets.pcap"),
                        3, RawChunks.startingAt(RawChunks.capture("PcapPlusPlus/DnsPackets.pcap"), endNs - 1_280_000_000_000L)));
                for (String node : NODES.keySet()) RawChunks.heartbeat(s3, "trawl", node, false, NOW_MS - 30_000);
            }
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) {
        S3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("TRAWL_SNAPSHOT_GRACE", () -> "2m");
        registry.add("TRAWL_SNAPSHOT_MAX_DURATION", () -> "12h");
    }

    @TestConfiguration
    static class TestClock {
        /** The system clock, movable forward for windows that end in the future. */
        @Bean
        @Primary
        Clock movableClock() {
            return new Clock() {
                public ZoneId getZone() {
                    return ZoneOffset.UTC;
                }

                public Clock withZone(ZoneId zone) {
                    return this;
                }

                public Instant instant() {
                    return Instant.now().plusMillis(CLOCK_OFFSET_MS.get());
                }
            };
        }
    }

    @AfterAll
    static void stop() throws Exception {
        S3.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    S3Client s3;

    final HttpClient http = HttpClient.newHttpClient();

    // ------------------------------------------------------------------ helpers

    HttpResponse<String> call(String method, String path, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> download(String path, String... headers) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(path.startsWith("http") ? path : "http://127.0.0.1:" + port + path));
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static JsonNode json(HttpResponse<String> r) {
        return JSON.readTree(r.body());
    }

    JsonNode awaitDone(String name) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            var r = call("GET", "/mcp/snapshots/" + name, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode d = json(r);
            if (!d.get("status").asText().equals("in_progress")) return d;
            assertThat(System.nanoTime()).as("snapshot %s still in progress: %s", name, r.body()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    static long totalPackets(String... nodes) {
        return Arrays.stream(nodes).flatMap(n -> NODES.get(n).stream()).mapToLong(w -> w.meta().packets()).sum();
    }

    static List<Path> chunkFiles(String... nodes) {
        return Arrays.stream(nodes).flatMap(n -> NODES.get(n).stream()).map(RawChunks.Written::file).toList();
    }

    static String tool(String... command) throws Exception {
        assumeTrue(onPath(command[0]), command[0] + " is not installed");
        // stdout only: the tools warn on stderr (e.g. about running as root)
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s: %s", String.join(" ", command), out).isZero();
        return out;
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) return true;
        }
        return false;
    }

    static long capinfosCount(Path... files) throws Exception {
        long sum = 0;
        for (Path f : files) {
            String out = tool("capinfos", "-c", "-M", "-T", f.toString());
            String[] lines = out.strip().split("\n");
            sum += Long.parseLong(lines[lines.length - 1].split("\t")[1].trim());
        }
        return sum;
    }

    /** (timestamp, sha256 of bytes) of every packet, in file order. */
    static List<String> packets(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        try (PcapReader r = PcapReader.open(file)) {
            while (r.next()) out.add(r.timestampNanos() + ":" + RawChunks.sha256(r.copyData()));
        }
        return out;
    }

    static Path save(byte[] bytes, String name) throws IOException {
        Path p = WORK.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    // ------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void listsItsEndpoints() throws Exception {
        var r = call("GET", "/mcp", null);
        assertThat(r.statusCode()).isEqualTo(200);
        for (String path : List.of("/mcp/raw-capture", "/mcp/data-boundaries", "/mcp/snapshots", "/mcp/snapshots/:name", "/mcp/snapshots/:name/pcap")) {
            assertThat(r.body()).contains("\"path\":\"" + path + "\"");
        }
        assertThat(r.body()).contains("\"method\":\"DELETE\"", "\"method\":\"POST\"");
    }

    @Test
    @Order(2)
    void rawCaptureSaysWhetherAnyNodeCaptures() throws Exception {
        JsonNode off = json(call("GET", "/mcp/raw-capture", null));
        assertThat(off.get("enabled").asBoolean()).isFalse();
        assertThat(off.get("nodes")).hasSize(3);

        RawChunks.heartbeat(s3, "trawl", "node-on", true, System.currentTimeMillis());
        try {
            JsonNode on = json(call("GET", "/mcp/raw-capture", null));
            assertThat(on.get("enabled").asBoolean()).isTrue();
            assertThat(on.get("session_id").asText()).isEqualTo("session-node-on");
        } finally {
            s3.deleteObject(b -> b.bucket("trawl").key("nodes/node-on/heartbeat.json"));
        }
    }

    @Test
    @Order(3)
    void dataBoundariesAreTheChunksFirstAndLastPackets() throws Exception {
        JsonNode b = json(call("GET", "/mcp/data-boundaries", null));
        long oldest = Long.MAX_VALUE;
        long newest = Long.MIN_VALUE;
        for (JsonNode n : b.get("nodes")) {
            var chunks = NODES.get(n.get("name").asText());
            long first = chunks.getFirst().meta().firstNanos() / 1_000_000;
            long last = chunks.getLast().meta().lastNanos() / 1_000_000;
            assertThat(n.get("oldest_ts").asLong()).isEqualTo(first);
            assertThat(n.get("newest_ts").asLong()).isEqualTo(last);
            oldest = Math.min(oldest, first);
            newest = Math.max(newest, last);
        }
        assertThat(b.get("nodes")).hasSize(3);
        assertThat(b.get("cluster").get("oldest_ts").asLong()).isEqualTo(oldest);
        assertThat(b.get("cluster").get("newest_ts").asLong()).isEqualTo(newest);
    }

    @Test
    @Order(10)
    void createsListsAndDetailsASnapshotWhoseCountsAreCapinfos() throws Exception {
        var created = call("POST", "/mcp/snapshots", "{\"name\":\"incident-001\",\"duration\":\"30m\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(json(created).get("success").asBoolean()).isTrue();
        assertThat(json(created).get("status").asText()).isEqualTo("in_progress");

        JsonNode d = awaitDone("incident-001");
        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("completed");
        long capinfos = capinfosCount(chunkFiles("node-a", "node-b", "node-c").toArray(Path[]::new));
        assertThat(d.get("packet_count").asLong()).isEqualTo(capinfos).isEqualTo(4631 + 385 + 464);
        assertThat(d.get("node_count").asInt()).isEqualTo(3);
        long bytes = chunkFiles("node-a", "node-b", "node-c").stream().mapToLong(p -> p.toFile().length()).sum();
        assertThat(d.get("size_bytes").asLong()).isEqualTo(bytes);
        assertThat(d.get("duration").asText()).isEqualTo("30m");
        assertThat(d.get("end_ts").asLong() - d.get("start_ts").asLong()).isLessThanOrEqualTo(30 * 60_000L);
        assertThat(d.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");

        JsonNode list = json(call("GET", "/mcp/snapshots", null));
        assertThat(list.get("snapshots")).anySatisfy(s -> {
            assertThat(s.get("name").asText()).isEqualTo("incident-001");
            assertThat(s.get("status").asText()).isEqualTo("completed");
            assertThat(s.get("size_bytes").asLong()).isEqualTo(bytes);
            assertThat(s.get("duration").asText()).isEqualTo("30m");
        });

        // evidence: every copy is byte-identical to its raw chunk, and the manifest says so
        byte[] manifest = s3.getObjectAsBytes(b -> b.bucket("trawl").key("snapshots/incident-001/manifest.json")).asByteArray();
        JsonNode m = JSON.readTree(manifest);
        assertThat(m.get("objects")).hasSize(10);
        for (JsonNode o : m.get("objects")) {
            byte[] copy = s3.getObjectAsBytes(b -> b.bucket("trawl").key(o.get("key").asText())).asByteArray();
            assertThat(RawChunks.sha256(copy)).isEqualTo(o.get("sha256").asText());
        }
    }

    @Test
    @Order(11)
    void exportsOneMergedPcapThatTheReferenceToolsRead() throws Exception {
        var r = download("/mcp/snapshots/incident-001/pcap");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/vnd.tcpdump.pcap");
        assertThat(r.headers().firstValueAsLong("content-length")).hasValue(r.body().length);
        Path export = save(r.body(), "incident-001.pcap");

        long expected = 4631 + 385 + 464;
        assertThat(capinfosCount(export)).isEqualTo(expected);
        String tshark = tool("tshark", "-r", export.toString(), "-T", "fields", "-e", "frame.number");
        assertThat(tshark.strip().split("\n")).hasSize((int) expected);
        assertThat(tool("capinfos", "-o", export.toString())).contains("Strict time order:   True");

        List<String> ours = packets(export);
        long previous = Long.MIN_VALUE;
        for (String p : ours) {
            long ts = Long.parseLong(p.substring(0, p.indexOf(':')));
            assertThat(ts).isGreaterThanOrEqualTo(previous);
            previous = ts;
        }
        Path merged = WORK.resolve("mergecap.pcap");
        List<String> command = new ArrayList<>(List.of("mergecap", "-F", "pcap", "-w", merged.toString()));
        chunkFiles("node-a", "node-b", "node-c").forEach(p -> command.add(p.toString()));
        tool(command.toArray(String[]::new));
        List<String> theirs = packets(merged);
        assertThat(ours.stream().sorted().toList()).isEqualTo(theirs.stream().sorted().toList());
    }

    @Test
    @Order(12)
    void exportFiltersByNodeTimeAndBpf() throws Exception {
        var onlyB = download("/mcp/snapshots/incident-001/pcap?nodes=node-b");
        assertThat(capinfosCount(save(onlyB.body(), "only-b.pcap"))).isEqualTo(385);

        // a time slice: exactly the packets of the full export inside it
        List<String> all = packets(WORK.resolve("incident-001.pcap"));
        long t0 = Long.parseLong(all.get(1000).split(":")[0]) / 1_000_000;
        long t1 = Long.parseLong(all.get(3000).split(":")[0]) / 1_000_000;
        long inside = all.stream().mapToLong(p -> Long.parseLong(p.split(":")[0]))
                .filter(ts -> ts >= t0 * 1_000_000 && ts <= t1 * 1_000_000 + 999_999).count();
        var slice = download("/mcp/snapshots/incident-001/pcap?start_time=" + t0 + "&end_time=" + t1);
        assertThat(packets(save(slice.body(), "slice.pcap"))).hasSize((int) inside);

        var bpf = download("/mcp/snapshots/incident-001/pcap?bpf_filter=" + java.net.URLEncoder.encode("tcp port 80", StandardCharsets.UTF_8));
        assertThat(bpf.statusCode()).isEqualTo(200);
        Path filtered = save(bpf.body(), "bpf.pcap");
        String tcpdump = tool("tcpdump", "-nn", "-r", WORK.resolve("incident-001.pcap").toString(), "tcp port 80");
        long byTcpdump = tcpdump.lines().filter(l -> !l.startsWith("reading from")).count();
        assertThat(byTcpdump).isPositive();
        assertThat(packets(filtered)).hasSize((int) byTcpdump);

        var bad = call("GET", "/mcp/snapshots/incident-001/pcap?bpf_filter=" + java.net.URLEncoder.encode("tcp port", StandardCharsets.UTF_8), null);
        assertThat(bad.statusCode()).isEqualTo(400);
        // libpcap's own words for what is wrong, not only that compiling failed
        assertThat(bad.body()).contains("\"success\":false", "bpf_filter", "syntax error");
        assertThat(call("GET", "/mcp/snapshots/incident-001/pcap?nodes=node-zz", null).statusCode()).isEqualTo(400);
        assertThat(call("GET", "/mcp/snapshots/incident-001/pcap?start_time=abc", null).statusCode()).isEqualTo(400);
    }

    @Test
    @Order(12)
    void hostileFiltersAreRefusedAtOnceAndHoldNoOtherExport() throws Exception {
        // the 7.5 KB filter of 600 terms held libpcap 36 s; past the limits, no compile starts
        String sixHundredTerms = java.util.stream.IntStream.range(0, 600).mapToObj(i -> "port " + i)
                .collect(java.util.stream.Collectors.joining(" or "));
        String tooManyTerms = java.util.stream.IntStream.range(0, BpfFilter.MAX_TERMS + 1).mapToObj(i -> "port " + i)
                .collect(java.util.stream.Collectors.joining(" or "));
        String atTheLimit = java.util.stream.IntStream.range(0, BpfFilter.MAX_TERMS).mapToObj(i -> "port " + (60_000 + i))
                .collect(java.util.stream.Collectors.joining(" or "));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<HttpResponse<String>>> hostile = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                hostile.add(pool.submit(() -> call("GET", "/mcp/snapshots/incident-001/pcap?bpf_filter="
                        + java.net.URLEncoder.encode(sixHundredTerms, StandardCharsets.UTF_8), null)));
            }
            var limit = pool.submit(() -> download("/mcp/snapshots/incident-001/pcap?bpf_filter=" + java.net.URLEncoder.encode(atTheLimit, StandardCharsets.UTF_8)));
            var ordinary = download("/mcp/snapshots/incident-001/pcap?bpf_filter=" + java.net.URLEncoder.encode("udp port 53", StandardCharsets.UTF_8));
            assertThat(ordinary.statusCode()).isEqualTo(200);
            assertThat(packets(save(ordinary.body(), "dns-only.pcap"))).isNotEmpty();
            for (var h : hostile) assertError(h.get(), 400, "at most " + BpfFilter.MAX_LENGTH);
            // as many terms as accepted still compile
            assertThat(limit.get().statusCode()).isEqualTo(200);
        }
        assertError(call("GET", "/mcp/snapshots/incident-001/pcap?bpf_filter=" + java.net.URLEncoder.encode(tooManyTerms, StandardCharsets.UTF_8), null),
                400, "at most " + BpfFilter.MAX_TERMS + " are accepted");
    }

    @Test
    @Order(13)
    void resumesWithRangeAndOffersAPresignedUrl() throws Exception {
        byte[] full = Files.readAllBytes(WORK.resolve("incident-001.pcap"));
        var tail = download("/mcp/snapshots/incident-001/pcap", "Range", "bytes=100000-");
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.headers().firstValue("content-range")).hasValue("bytes 100000-" + (full.length - 1) + "/" + full.length);
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(full, 100_000, full.length));
        var middle = download("/mcp/snapshots/incident-001/pcap", "Range", "bytes=10-19");
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(full, 10, 20));
        assertThat(download("/mcp/snapshots/incident-001/pcap", "Range", "bytes=" + full.length + "-").statusCode()).isEqualTo(416);
        // forms this server does not serve are ignored: the whole export, 200 (RFC 9110, 14.2)
        for (String unsupported : List.of("bytes=0-1,5-6", "bytes=-500", "items=0-5", "bytes=20-10", "bytes=99999999999999999999-")) {
            var whole = download("/mcp/snapshots/incident-001/pcap", "Range", unsupported);
            assertThat(whole.statusCode()).as(unsupported).isEqualTo(200);
            assertThat(whole.body()).as(unsupported).isEqualTo(full);
        }

        JsonNode presigned = json(call("GET", "/mcp/snapshots/incident-001/pcap?presign=true", null));
        assertThat(presigned.get("success").asBoolean()).isTrue();
        var fromS3 = download(presigned.get("url").asText());
        assertThat(fromS3.statusCode()).isEqualTo(200);
        assertThat(fromS3.body()).isEqualTo(full);
        var resumedFromS3 = download(presigned.get("url").asText(), "Range", "bytes=5000-");
        assertThat(resumedFromS3.body()).isEqualTo(Arrays.copyOfRange(full, 5000, full.length));
    }

    @Test
    @Order(14)
    void aHeadChecksTheExportWithoutMakingIt() throws Exception {
        long length = Files.size(WORK.resolve("incident-001.pcap"));
        var whole = call("HEAD", "/mcp/snapshots/incident-001/pcap", null);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.headers().firstValueAsLong("content-length")).hasValue(length);
        assertThat(call("HEAD", "/mcp/snapshots/incident-001/pcap?bpf_filter=" + java.net.URLEncoder.encode("tcp port", StandardCharsets.UTF_8), null)
                .statusCode()).isEqualTo(400);
        assertThat(call("HEAD", "/mcp/snapshots/incident-001/pcap?nodes=node-zz", null).statusCode()).isEqualTo(400);
    }

    @Test
    @Order(15)
    void theMcpExportToolHandsOutOnlyUrlsThatDownload() throws Exception {
        var assistant = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp").build()).build();
        try {
            assistant.initialize();
            Map<?, ?> whole = (Map<?, ?>) exportTool(assistant, Map.of("name", "incident-001")).structuredContent();
            byte[] full = Files.readAllBytes(WORK.resolve("incident-001.pcap"));
            assertThat(whole.get("size_exact")).isEqualTo(true);
            assertThat(((Number) whole.get("size_bytes")).longValue()).isEqualTo(full.length);
            assertThat(download((String) whole.get("url")).body()).isEqualTo(full);

            Map<?, ?> oneNode = (Map<?, ?>) exportTool(assistant, Map.of("name", "incident-001", "nodes", "node-b")).structuredContent();
            assertThat(capinfosCount(save(download((String) oneNode.get("url")).body(), "tool-node-b.pcap"))).isEqualTo(385);

            for (Map<String, Object> bad : List.<Map<String, Object>>of(
                    Map.of("name", "incident-001", "bpf_filter", "tcp port"),
                    Map.of("name", "incident-001", "nodes", List.of("node-zz")),
                    Map.of("name", "incident-001", "format", "PCAPNG"),
                    Map.of("name", "incident-001", "start_time", "noon"))) {
                CallToolResult refused = exportTool(assistant, bad);
                assertThat(refused.isError()).as(bad.toString()).isTrue();
                assertThat(((McpSchema.TextContent) refused.content().getFirst()).text()).as(bad.toString())
                        .contains(bad.keySet().stream().filter(k -> !k.equals("name")).findFirst().orElseThrow())
                        .contains("call again");
            }
        } finally {
            assistant.closeGracefully();
        }
    }

    static CallToolResult exportTool(McpSyncClient assistant, Map<String, Object> arguments) {
        return assistant.callTool(new McpSchema.CallToolRequest("export_snapshot_pcap", arguments));
    }

    @Test
    @Order(16)
    void cachedExportsExpireAndAreMadeAgain() throws Exception {
        String exports = dev.trawl.core.s3.S3Layout.snapshotExportsPrefix("incident-001");
        List<String> cachedBefore = cachedExports(exports);
        JsonNode tcp = json(call("GET", "/mcp/snapshots/incident-001/pcap?presign=true&bpf_filter=tcp", null));
        assertThat(Instant.parse(tcp.get("expires_at").asText())).isBefore(Instant.now().plus(java.time.Duration.ofMinutes(61)));
        String tcpKey = cachedExports(exports).stream().filter(k -> !cachedBefore.contains(k)).findFirst().orElseThrow();
        try {
            CLOCK_OFFSET_MS.set(2 * 3_600_000L); // past the default TTL of 1 h
            JsonNode udp = json(call("GET", "/mcp/snapshots/incident-001/pcap?presign=true&bpf_filter=udp", null));
            // the stale copies were swept; only the one just made is left
            List<String> left = cachedExports(exports);
            assertThat(left).hasSize(1).doesNotContain(tcpKey);
            var udpDownload = download(udp.get("url").asText());
            assertThat(udpDownload.statusCode()).isEqualTo(200);
            assertThat(packets(save(udpDownload.body(), "udp-cached.pcap"))).isNotEmpty();
            // asking again for the expired one makes it again
            JsonNode tcpAgain = json(call("GET", "/mcp/snapshots/incident-001/pcap?presign=true&bpf_filter=tcp", null));
            assertThat(cachedExports(exports)).contains(tcpKey);
            assertThat(download(tcpAgain.get("url").asText()).body()).isEqualTo(download("/mcp/snapshots/incident-001/pcap?bpf_filter=tcp").body());
        } finally {
            CLOCK_OFFSET_MS.set(0);
        }
    }

    List<String> cachedExports(String prefix) {
        return s3.listObjectsV2(b -> b.bucket("trawl").prefix(prefix)).contents().stream().map(o -> o.key()).toList();
    }

    @Test
    @Order(20)
    void refusesBadInputWithClearErrors() throws Exception {
        assertError(call("POST", "/mcp/snapshots", "{\"name\":\"Bad/Name\",\"duration\":\"30m\"}"), 400, "invalid");
        assertError(call("POST", "/mcp/snapshots", "{\"name\":\"../etc\",\"duration\":\"30m\"}"), 400, "invalid");
        assertError(call("POST", "/mcp/snapshots", "{\"name\":\"incident-001\",\"duration\":\"30m\"}"), 409, "already exists");
        assertError(call("POST", "/mcp/snapshots", "{\"name\":\"d1\",\"duration\":\"1x\"}"), 400, "not a duration");
        assertError(call("POST", "/mcp/snapshots", "{\"name\":\"d2\",\"duration\":\"-5m\"}"), 400, "not a duration");
        assertError(call("POST", "/mcp/snapshots", "{\"name\":\"d3\",\"duration\":\"30d\"}"), 400, "retention");
        assertError(call("POST", "/mcp/snapshots", "{\"name\":\"d4\"}"), 400, "duration");
        assertError(call("POST", "/mcp/snapshots", "{\"name\":\"d6\",\"duration\":\"13h\"}"), 400, "TRAWL_SNAPSHOT_MAX_DURATION");
        assertError(call("POST", "/mcp/snapshots", "{\"name\":\"d7\",\"start_ts\":" + (NOW_MS - 14 * 3_600_000L) + ",\"end_ts\":" + NOW_MS + "}"),
                400, "longer than a snapshot may be");
        assertError(call("POST", "/mcp/snapshots", "{not json"), 400, "JSON");
        long yearAgo = NOW_MS - 365L * 86_400_000L;
        var noData = call("POST", "/mcp/snapshots", "{\"name\":\"d5\",\"start_ts\":" + yearAgo + ",\"end_ts\":" + (yearAgo + 60_000) + "}");
        assertError(noData, 400, "data is available from");
        long oldest = NODES.get("node-c").getFirst().meta().firstNanos() / 1_000_000;
        assertThat(noData.body()).contains(Long.toString(oldest));
        assertError(call("GET", "/mcp/snapshots/nope", null), 404, "does not exist");
        assertError(call("DELETE", "/mcp/snapshots/nope", null), 404, "does not exist");
        assertError(call("GET", "/mcp/snapshots/nope/pcap", null), 404, "does not exist");
        assertError(call("GET", "/mcp/snapshots/NOPE", null), 400, "invalid");
        // nothing was left behind by the refused requests
        for (String n : List.of("d1", "d2", "d3", "d4", "d5", "d6", "d7")) assertThat(call("GET", "/mcp/snapshots/" + n, null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(22)
    void oversizedBodiesAreRefusedWithoutBeingRead() throws Exception {
        // 256 MB announced: refused on the headers alone
        String announced = rawExchange("POST /mcp/snapshots HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + (256L << 20) + "\r\n\r\n{\"name\":", 0);
        assertThat(announced).startsWith("HTTP/1.1 413").contains("\"success\":false", "1048576 bytes");
        // 256 MB chunked, to the MCP endpoint: refused once past its cap, long before the end
        long[] written = new long[1];
        String chunked = rawExchange("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n", 256L << 20, written);
        assertThat(chunked).startsWith("HTTP/1.1 413").contains("\"success\":false", "/mcp");
        assertThat(written[0]).isLessThan(64L << 20);
        // an unknown path: a JSON 404, no stack trace
        var unknown = call("POST", "/no/such/path", "{}");
        assertError(unknown, 404, "no such endpoint");
        assertThat(unknown.body()).doesNotContain("Exception", "\tat ");
    }

    @Test
    @Order(23)
    void slowSocketsDoNotStopTheApi() throws Exception {
        List<java.net.Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 32; i++) {
                var s = new java.net.Socket("127.0.0.1", port);
                s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                slow.add(s);
            }
            assertThat(call("GET", "/health", null).statusCode()).isEqualTo(200);
            assertThat(call("GET", "/mcp/snapshots", null).statusCode()).isEqualTo(200);
        } finally {
            for (var s : slow) s.close();
        }
    }

    /** Sends {@code head}, then {@code chunkedBytes} of chunked body until the server answers or closes; its answer. */
    String rawExchange(String head, long chunkedBytes, long... written) throws IOException {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(120_000);
            var out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            long sent = 0;
            try {
                while (sent < chunkedBytes && socket.getInputStream().available() == 0) {
                    out.write(chunk);
                    sent += 0x10000;
                }
            } catch (IOException refusedAndClosed) {
                // the server stopped reading: what it answered is still to be read
            }
            if (written.length > 0) written[0] = sent;
            var answer = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = socket.getInputStream().read(buf)) > 0 && answer.size() < 1 << 16; ) answer.write(buf, 0, n);
            } catch (IOException reset) {
                // a reset after the answer
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    static void assertError(HttpResponse<String> r, int status, String text) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.get("success").asBoolean()).isFalse();
        assertThat(j.get("error").asText()).containsIgnoringCase(text);
    }

    @Test
    @Order(21)
    void ofConcurrentCreatesOfOneNameExactlyOneWins() throws Exception {
        int n = 8;
        var start = new CountDownLatch(1);
        try (var pool = Executors.newFixedThreadPool(n)) {
            List<java.util.concurrent.Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                results.add(pool.submit((Callable<Integer>) () -> {
                    start.await();
                    return call("POST", "/mcp/snapshots", "{\"name\":\"race\",\"duration\":\"30m\"}").statusCode();
                }));
            }
            start.countDown();
            List<Integer> codes = new ArrayList<>();
            for (var f : results) codes.add(f.get());
            assertThat(codes.stream().filter(c -> c == 200).count()).as(codes.toString()).isEqualTo(1);
            assertThat(codes.stream().filter(c -> c == 409).count()).as(codes.toString()).isEqualTo(n - 1);
        }
        awaitDone("race");
    }

    @Test
    @Order(22)
    void clipsAWindowThatOnlyPartlyHoldsDataAndSaysSo() throws Exception {
        long oldest = NODES.get("node-c").getFirst().meta().firstNanos() / 1_000_000;
        var r = call("POST", "/mcp/snapshots", "{\"name\":\"clipped\",\"start_ts\":" + (oldest - 3_600_000) + ",\"end_ts\":" + (oldest + 5_000)
                + ",\"nodes\":[\"node-c\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode d = awaitDone("clipped");
        assertThat(d.get("status").asText()).isEqualTo("completed");
        assertThat(d.get("clipped").asBoolean()).isTrue();
        assertThat(d.get("clipping").asText()).contains("data exists only for");
        assertThat(d.get("start_ts").asLong()).isEqualTo(oldest);
        assertThat(d.get("requested_start_ts").asLong()).isEqualTo(oldest - 3_600_000);
        assertThat(d.get("node_count").asInt()).isEqualTo(1);
        var export = download("/mcp/snapshots/clipped/pcap");
        assertThat(packets(save(export.body(), "clipped.pcap"))).hasSize(d.get("packet_count").asInt())
                .allSatisfy(p -> assertThat(Long.parseLong(p.split(":")[0]) / 1_000_000).isBetween(oldest, oldest + 5_000));
    }

    @Test
    @Order(23)
    void mergesNodesOfDifferentLinkTypesIntoPcapngWithOneInterfacePerNode() throws Exception {
        long base = (NOW_MS - 120_000) * 1_000_000L;
        NODES.put("node-raw", RawChunks.write(s3, "trawl", WORK.resolve("chunks"), "node-raw", RawChunks.capture("PcapPlusPlus/raw_ip.pcap"), 2,
                RawChunks.evenlyFrom(base, 10_000_000L)));
        var r = call("POST", "/mcp/snapshots", "{\"name\":\"mixed\",\"duration\":\"1h\",\"nodes\":[\"node-a\",\"node-raw\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(awaitDone("mixed").get("packet_count").asLong()).isEqualTo(4631 + 100);

        assertError(call("GET", "/mcp/snapshots/mixed/pcap", null), 400, "pcapng");
        var ng = download("/mcp/snapshots/mixed/pcap?format=pcapng");
        assertThat(ng.statusCode()).isEqualTo(200);
        assertThat(ng.headers().firstValue("content-type")).hasValue("application/x-pcapng");
        Path file = save(ng.body(), "mixed.pcapng");
        assertThat(capinfosCount(file)).isEqualTo(4631 + 100);
        String names = tool("tshark", "-r", file.toString(), "-T", "fields", "-e", "frame.interface_name");
        assertThat(names.lines().filter("node-a"::equals).count()).isEqualTo(4631);
        assertThat(names.lines().filter("node-raw"::equals).count()).isEqualTo(100);
        assertThat(tool("capinfos", "-o", file.toString())).contains("Strict time order:   True");
    }

    @Test
    @Order(30)
    void deleteRemovesEverythingButNotWhileADissectionRuns() throws Exception {
        var dissections = new DissectionStatusStore(s3, "trawl");
        var running = DissectionStatus.pending("incident-001", "d1", Instant.now()).withStatus(DissectionStatus.State.RUNNING, Instant.now());
        dissections.create(running);
        assertError(call("DELETE", "/mcp/snapshots/incident-001", null), 409, "dissect");
        dissections.put(running.withStatus(DissectionStatus.State.COMPLETED, Instant.now()));

        var r = call("DELETE", "/mcp/snapshots/incident-001", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("success").asBoolean()).isTrue();
        assertThat(json(r).get("name").asText()).isEqualTo("incident-001");
        assertThat(s3.listObjectsV2(b -> b.bucket("trawl").prefix("snapshots/incident-001/")).contents()).isEmpty();
        assertThat(call("GET", "/mcp/snapshots/incident-001", null).statusCode()).isEqualTo(404);
        // raw data is untouched
        assertThat(s3.listObjectsV2(b -> b.bucket("trawl").prefix("raw/node-a/")).contents()).isNotEmpty();
    }

    @Test
    @Order(40)
    void aWindowEndingInTheFutureCompletesOnceTheNodeUploadsPastItsEnd() throws Exception {
        long now = System.currentTimeMillis() + CLOCK_OFFSET_MS.get();
        RawChunks.heartbeat(s3, "trawl", "node-live", true, now);
        var r = call("POST", "/mcp/snapshots", "{\"name\":\"next-hour\",\"start_ts\":" + (now - 1000) + ",\"end_ts\":" + (now + 600_000)
                + ",\"nodes\":[\"node-live\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        // a first chunk inside the window arrives: still in progress
        var first = RawChunks.write(s3, "trawl", WORK.resolve("live"), "node-live", RawChunks.capture("arkime/v6-http.pcap"), 1,
                RawChunks.evenlyFrom(now * 1_000_000L, 1_000_000L));
        assertThat(event("dev.trawl.pcap.uploaded", first.getFirst().key()).statusCode()).isEqualTo(200);
        assertThat(json(call("GET", "/mcp/snapshots/next-hour", null)).get("status").asText()).isEqualTo("in_progress");

        // the window passes and the node uploads a chunk reaching past its end
        CLOCK_OFFSET_MS.addAndGet(601_000);
        RawChunks.heartbeat(s3, "trawl", "node-live", true, now + 601_000);
        var second = RawChunks.write(s3, "trawl", WORK.resolve("live2"), "node-live", RawChunks.capture("arkime/v6-http.pcap"), 1,
                RawChunks.evenlyFrom((now + 599_990) * 1_000_000L, 1_000_000L));
        assertThat(event("dev.trawl.pcap.uploaded", second.getFirst().key()).statusCode()).isEqualTo(200);
        JsonNode d = json(call("GET", "/mcp/snapshots/next-hour", null));
        assertThat(d.get("status").asText()).as(d.toString()).isEqualTo("completed");
        // all 55 of the first chunk, and of the second those up to the window's end (10 ms at 1 ms apart)
        assertThat(d.get("packet_count").asLong()).isEqualTo(55 + 11);
        var export = download("/mcp/snapshots/next-hour/pcap");
        assertThat(packets(save(export.body(), "next-hour.pcap"))).hasSize(55 + 11);
    }

    HttpResponse<String> event(String type, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events"))
                .header("ce-specversion", "1.0").header("ce-id", java.util.UUID.randomUUID().toString()).header("ce-type", type)
                .header("ce-source", "/trawl/test").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    }
}
