package dev.trawl.capture;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where packets come from: a live libpcap capture or a replay of capture files. A source
 * writes chunks into part files the daemon hands it and gives each back when it closes; what
 * happens next (meta, spool, S3, event) is the same for every source.
 */
public interface PacketSource {
    /** {@code live} or {@code replay} (see {@link dev.trawl.core.chunk.ChunkMeta}). */
    String mode();

    /** The interfaces captured, or the files replayed. */
    List<String> interfaces();

    /** Captures until {@link #stop()} (or, for a replay that does not loop, the end of its files). */
    void run(Chunks chunks) throws Exception;

    /** Asks {@link #run} to close its open chunk and return soon. Any thread. */
    void stop();

    /** The daemon's side of a running source. */
    interface Chunks {
        Rotation rotation();

        int snaplen();

        /** A new file to write a chunk into. */
        Path newPart();

        /**
         * A chunk is complete.
         *
         * @param openedNanos when the chunk opened (wall clock, ns): its workload table reaches back to it
         * @param kernelDrops packets libpcap reported dropped while it was open
         */
        void closed(Path part, long openedNanos, long kernelDrops) throws IOException;
    }
}
