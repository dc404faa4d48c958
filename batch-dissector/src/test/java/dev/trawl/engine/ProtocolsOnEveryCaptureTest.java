package dev.trawl.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every shared capture through the engine with every protocol registered: no parser fails or
 * hangs on any of them (the broken ones included), each protocol tshark names in a capture
 * (MANIFEST.tsv, decode-as or not) yields entries of that protocol, found by content, and none
 * of them shows up where tshark saw no such protocol unless {@link #EXPLAINED}.
 */
class ProtocolsOnEveryCaptureTest {

    /** MANIFEST protocol name -> the entries' protocol(s). */
    private static final Map<String, List<String>> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("http2", List.of("http2", "grpc"));
        EXPECTED.put("grpc", List.of("grpc"));
        EXPECTED.put("websocket", List.of("ws"));
        EXPECTED.put("resp", List.of("redis"));
        EXPECTED.put("kafka", List.of("kafka"));
        EXPECTED.put("amqp", List.of("amqp"));
        EXPECTED.put("pgsql", List.of("postgresql"));
        EXPECTED.put("mysql", List.of("mysql"));
        EXPECTED.put("mongo", List.of("mongodb"));
    }

    /** "file protocol" -> why the engine's view differs from tshark's. */
    private static final Map<String, String> EXPLAINED = Map.of(
            "zeek/tls-13-amazon-rds.pcap mysql", "MySQL switches to TLS after the handshake; tshark names the protocol"
                    + " from the greeting, the engine emits the handshake entry (result TLS) only",
            "nDPI/websocket.pcap ws", "tshark names it from the file only (not-decoded-by-tshark): no upgrade in the capture",
            "wireshark_samples/grpc_proxy.pcap grpc", "mid-stream without the HPACK context: the requests' content-type"
                    + " is unknown, so the streams are http2 entries",
            "tcpdump/resp_4_infiniteloop.pcapng redis", "one crafted packet, an array of length -53245001789559092:"
                    + " not a command, nothing to pair",
            "zeek/oss-fuzz-473580107.pcap kafka", "fuzzed bytes that happen to be a well-formed Produce v0 header"
                    + " (size 2098, correlation id 0, empty client id: arkime/kafka.pcap's real first request looks"
                    + " the same); its entries are unanswered",
            "zeek/oss-fuzz-473580107.pcap redis", "fuzzed bytes on port 80 that tshark reads as RESP only when told to;"
                    + " the engine takes them for HTTP, as tshark does by default");

    @Test
    void everyProtocolIsFoundByContentAndNoParserFails() throws Exception {
        DissectionEngine engine = DissectionEngine.standard();
        List<String> problems = new ArrayList<>();
        List<String> table = new ArrayList<>();
        var pool = Executors.newSingleThreadExecutor();
        try {
            for (SharedCaptures.Capture c : SharedCaptures.all()) {
                Future<DissectionStats> f = pool.submit(() -> engine.dissect("n", List.of(PcapSource.file(c.path())), e -> { }));
                DissectionStats s = f.get(60, TimeUnit.SECONDS);
                if (s.damage("parser_errors") > 0) {
                    problems.add(c.file() + ": parser errors " + s.errors());
                }
                Map<String, Long> mine = new LinkedHashMap<>();
                for (var e : EXPECTED.entrySet()) {
                    for (String p : e.getValue()) {
                        if (s.entries(p) > 0) {
                            mine.put(p, s.entries(p));
                        }
                    }
                }
                table.add(String.format("%-55s %s", c.file(), mine));
                for (var e : EXPECTED.entrySet()) {
                    boolean named = List.of(c.protocols().split("[,(]")).contains(e.getKey());
                    long found = e.getValue().stream().mapToLong(s::entries).sum();
                    String key = c.file() + " " + e.getValue().getFirst();
                    if (named && found == 0 && !EXPLAINED.containsKey(key)) {
                        problems.add(c.file() + ": tshark sees " + e.getKey() + ", the engine found none");
                    }
                }
                for (String p : mine.keySet()) {
                    boolean named = EXPECTED.entrySet().stream()
                            .anyMatch(e -> e.getValue().contains(p) && List.of(c.protocols().split("[,(]")).contains(e.getKey()));
                    if (!named && !EXPLAINED.containsKey(c.file() + " " + p)) {
                        problems.add(c.file() + ": " + p + " entries where tshark sees none");
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        table.forEach(System.out::println);
        assertThat(problems).isEmpty();
    }
}
