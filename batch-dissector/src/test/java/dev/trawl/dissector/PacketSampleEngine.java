package dev.trawl.dissector;

import dev.trawl.core.pcap.PcapFormatException;
import dev.trawl.core.pcap.PcapReader;
import dev.trawl.dissector.engine.CallRow;
import dev.trawl.dissector.engine.DissectionEngine;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A stand-in engine for tests of the job's mechanics (batches, progress, stop, failures,
 * restarts) where what is dissected does not matter: it reads the real capture with core's
 * reader and makes one entry of every {@code every}-th packet, with an id from the node and the
 * packet's time, so a re-run gives the same ids.
 */
final class PacketSampleEngine implements DissectionEngine {
    private final int every;

    PacketSampleEngine(int every) {
        this.every = every;
    }

    @Override
    public Session open(String node) {
        return new Session() {
            long index;

            @Override
            public ChunkResult dissect(InputStream pcap, String source, Consumer<CallRow> out) throws IOException {
                long packets = 0;
                String damage = null;
                try (PcapReader reader = PcapReader.open(pcap, source)) {
                    while (true) {
                        try {
                            if (!reader.next()) break;
                        } catch (PcapFormatException e) {
                            damage = e.getMessage();
                            continue;
                        }
                        packets++;
                        if (index++ % every == 0) out.accept(row(node, reader.timestampNanos(), index, source));
                    }
                } catch (PcapFormatException e) {
                    damage = e.getMessage();
                }
                return new ChunkResult(packets, damage);
            }

            @Override
            public void finish(Consumer<CallRow> out) {}

            @Override
            public void close() {}
        };
    }

    static CallRow row(String node, long tsNanos, long index, String source) {
        return new CallRow(node + "-" + tsNanos + "-" + index, tsNanos / 1000, node, index % 3 == 0 ? "dns" : "http", "tcp",
                "10.0.0.1", 1000, "", "", "", "10.0.0.2", 80, "", "", "", "GET", "/" + index, "", 200, "OK", true, 10, 100, 200,
                Map.of(), Map.of(), "", "", Map.of(), List.of(), List.of(), "", source);
    }
}
