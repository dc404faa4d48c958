package dev.trawl.dissector.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;

/**
 * What the job needs from the dissection engine: one session per node, fed that node's chunks in
 * time order, so a TCP stream that crosses a chunk boundary is reassembled whole.
 */
public interface DissectionEngine {

    /** A new session for {@code node}; entries from it carry that node. */
    Session open(String node);

    interface Session extends AutoCloseable {
        /**
         * Dissects one PCAP/pcapng chunk read from {@code pcap} (named {@code source} in entries
         * and errors). Entries are handed to {@code out} as they complete.
         *
         * @return what the chunk held; damage inside the chunk is reported there, not thrown
         * @throws IOException when the stream itself fails (S3 gone): the caller retries or fails
         */
        ChunkResult dissect(InputStream pcap, String source, Consumer<CallRow> out) throws IOException;

        /** Emits what is still open at the end of the node's data (requests never answered). */
        void finish(Consumer<CallRow> out);

        @Override
        void close();
    }

    /** Packets read from a chunk, and a description of its damage (null when it was whole). */
    record ChunkResult(long packets, String damage) {}
}
