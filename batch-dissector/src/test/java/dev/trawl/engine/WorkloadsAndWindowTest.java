package dev.trawl.engine;

import dev.trawl.core.chunk.Workload;
import dev.trawl.core.pcap.PcapReader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A chunk's workload table names the entries' ends; a snapshot's window limits what is dissected. */
class WorkloadsAndWindowTest {
    private static final Path CAPTURE = SharedCaptures.path("zeek/pipelined-requests.pcap");

    private static List<Entry> dissect(PcapSource source) throws Exception {
        List<Entry> entries = new ArrayList<>();
        DissectionEngine.standard().dissect("n", List.of(source), entries::add);
        return entries;
    }

    @Test
    void theChunksTableNamesPodsNamespacesAndServicesOfBothEnds() throws Exception {
        Workloads table = Workloads.of(Map.of(
                "192.168.1.104", new Workload("checkout-7d9f", "shop", "checkout", "worker-1"),
                "63.245.209.11", new Workload("payment-5c4b", "shop", "payment", "worker-2"),
                "not an address", new Workload("x", "x", "x", "x")));
        List<Entry> http = dissect(PcapSource.file(CAPTURE).withWorkloads(table)).stream()
                .filter(e -> e.protocol().equals("http")).toList();
        assertThat(http).isNotEmpty().allSatisfy(e -> {
            assertThat(e.srcPod()).isEqualTo("checkout-7d9f");
            assertThat(e.srcService()).isEqualTo("checkout");
            assertThat(e.dstPod()).isEqualTo("payment-5c4b");
            assertThat(e.dstNamespace()).isEqualTo("shop");
            assertThat(e.dstService()).isEqualTo("payment");
        });
        assertThat(dissect(PcapSource.file(CAPTURE))).allSatisfy(e -> assertThat(e.dstService()).isEmpty());
    }

    @Test
    void anAddressFindsItsWorkloadWhateverTextFormTheTableUsed() {
        Workloads table = Workloads.of(Map.of("2001:0DB8:0000:0000:0000:0000:0000:0001", new Workload("api-0", "prod", "api", null)));
        Entry.Builder entry = Entry.builder().srcIp("10.1.2.3").dstIp("2001:db8::1");
        table.name(entry);
        assertThat(entry.dstService()).isEqualTo("api");
        assertThat(entry.srcService()).isEmpty();
    }

    @Test
    void onlyPacketsInsideTheWindowAreDissected() throws Exception {
        List<Long> times = new ArrayList<>();
        try (PcapReader r = PcapReader.open(CAPTURE)) {
            while (r.next()) times.add(r.timestampNanos());
        }
        long from = times.get(times.size() / 4);
        long to = times.get(times.size() * 3 / 4);
        long inside = times.stream().filter(t -> t >= from && t <= to).count();

        List<Entry> entries = new ArrayList<>();
        DissectionStats stats = DissectionEngine.standard().dissect("n", List.of(PcapSource.file(CAPTURE).within(from, to)), entries::add);

        assertThat(stats.packets()).isEqualTo(inside).isLessThan(times.size());
        assertThat(entries).isNotEmpty().allSatisfy(e -> assertThat(e.timestampMicros() * 1000).isBetween(from - 999, to));
        assertThat(entries.size()).isLessThan(dissect(PcapSource.file(CAPTURE)).size());
    }
}
