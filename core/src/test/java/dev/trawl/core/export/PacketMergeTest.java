package dev.trawl.core.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.export.ChunkSequenceSource.Chunk;
import dev.trawl.core.pcap.PcapReader;
import dev.trawl.core.pcap.PcapWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketMergeTest {

    /** A pcap chunk holding one packet per timestamp, whose bytes say where they came from. */
    static Chunk chunk(String name, int linkType, long... timestamps) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var w = new PcapWriter(bytes, linkType, true)) {
            for (long ts : timestamps) w.write(ts, (name + "@" + ts).getBytes(StandardCharsets.UTF_8));
        }
        byte[] file = bytes.toByteArray();
        return new Chunk(name, timestamps[0], timestamps[timestamps.length - 1], () -> new ByteArrayInputStream(file));
    }

    static List<String> read(byte[] file) throws IOException {
        List<String> out = new ArrayList<>();
        try (var r = PcapReader.open(new ByteArrayInputStream(file), "out")) {
            while (r.next()) out.add(r.timestampNanos() + " " + r.linkType() + " " + new String(r.copyData(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void mergesNodesInTimestampOrderClippedToTheWindowWithTiesInSourceOrder() throws IOException {
        var a = new ChunkSequenceSource("a", List.of(chunk("a1", 1, 10, 20, 30), chunk("a2", 1, 40, 50)), 15, 45);
        var b = new ChunkSequenceSource("b", List.of(chunk("b1", 1, 5, 20, 41, 60)), 15, 45);
        var out = new ByteArrayOutputStream();
        try (var sink = new PcapSink(out, 1)) {
            assertThat(PacketMerge.merge(List.of(a, b), sink, null)).isEqualTo(5);
        }
        assertThat(read(out.toByteArray())).containsExactly(
                "20 1 a1@20", "20 1 b1@20", "30 1 a1@30", "40 1 a2@40", "41 1 b1@41");
    }

    @Test
    void aChunkOutsideTheWindowIsNeverOpened() throws IOException {
        var opened = new ArrayList<String>();
        Chunk inside = chunk("in", 1, 100, 200);
        Chunk outside = new Chunk("out", 1000, 2000, () -> {
            opened.add("out");
            throw new IOException("must not be opened");
        });
        var s = new ChunkSequenceSource("n", List.of(inside, outside), 0, 500);
        int n = 0;
        while (s.next()) n++;
        assertThat(n).isEqualTo(2);
        assertThat(opened).isEmpty();
    }

    @Test
    void overlappingChunksOfOneNodeGoToSeparateLanesSoEachLaneStaysInOrder() throws IOException {
        var lanes = ChunkSequenceSource.lanes(List.of(chunk("x", 1, 0, 100), chunk("y", 1, 50, 150), chunk("z", 1, 101, 200)));
        assertThat(lanes).hasSize(2);
        assertThat(lanes.get(0).stream().map(Chunk::name)).containsExactly("x", "z");
        assertThat(lanes.get(1).stream().map(Chunk::name)).containsExactly("y");
    }

    @Test
    void pcapngHasOneInterfacePerNodeAndLinkTypeSoLinkTypesMix() throws IOException {
        var eth = new ChunkSequenceSource("worker-1", List.of(chunk("e", 1, 1_000, 3_000)), 0, Long.MAX_VALUE);
        var raw = new ChunkSequenceSource("worker-2", List.of(chunk("r", 101, 2_000)), 0, Long.MAX_VALUE);
        var out = new ByteArrayOutputStream();
        try (var sink = new PcapngSink(out, "test")) {
            PacketMerge.merge(List.of(eth, raw), sink, null);
        }
        List<String> packets = new ArrayList<>();
        try (var r = PcapReader.open(new ByteArrayInputStream(out.toByteArray()), "ng")) {
            assertThat(r.format()).isEqualTo(PcapReader.Format.PCAPNG);
            while (r.next()) packets.add(r.timestampNanos() + " if" + r.interfaceId() + " lt" + r.linkType() + " " + new String(r.copyData(), StandardCharsets.UTF_8));
        }
        assertThat(packets).containsExactly("1000 if0 lt1 e@1000", "2000 if1 lt101 r@2000", "3000 if0 lt1 e@3000");
        assertThat(new String(out.toByteArray(), StandardCharsets.ISO_8859_1)).contains("worker-1", "worker-2");
    }

    @Test
    void aFilterDropsPacketsButKeepsOrder() throws IOException {
        var a = new ChunkSequenceSource("a", List.of(chunk("a", 1, 1, 2, 3, 4)), 0, 10);
        var out = new ByteArrayOutputStream();
        try (var sink = new PcapSink(out, 1)) {
            PacketMerge.merge(List.of(a), sink, (lt, data, len) -> data.get(data.position() + 2) % 2 == 0);
        }
        assertThat(read(out.toByteArray())).containsExactly("2 1 a@2", "4 1 a@4");
    }
}
