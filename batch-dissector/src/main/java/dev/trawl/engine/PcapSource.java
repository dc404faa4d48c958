package dev.trawl.engine;

import dev.trawl.core.pcap.PcapReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One capture of a node, in the order the node wrote them: a file (read mapped) or a stream
 * (an S3 object). {@code name} becomes the entries' {@code source}. {@code workloads} names the
 * entries' pods, namespaces and services (the chunk's meta table); only packets with a time in
 * {@code [fromNanos, toNanos]} are dissected (a snapshot's window over the chunks it copied whole).
 */
public record PcapSource(String name, long size, Opener opener, Workloads workloads, long fromNanos, long toNanos) {

    public PcapSource {
        if (workloads == null) workloads = Workloads.NONE;
        if (fromNanos > toNanos) throw new IllegalArgumentException("window ends before it starts: " + fromNanos + " > " + toNanos);
    }

    public PcapSource(String name, long size, Opener opener) {
        this(name, size, opener, Workloads.NONE, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    @FunctionalInterface
    public interface Opener {
        PcapReader open() throws IOException;
    }

    @FunctionalInterface
    public interface StreamOpener {
        InputStream open() throws IOException;
    }

    public static PcapSource file(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            size = -1;
        }
        return new PcapSource(file.toString(), size, () -> PcapReader.open(file));
    }

    /** A stream; {@code size} may be -1 when unknown (progress is then by packets only). */
    public static PcapSource stream(String name, long size, StreamOpener stream) {
        return new PcapSource(name, size, () -> PcapReader.open(stream.open(), name));
    }

    public PcapSource withWorkloads(Workloads table) {
        return new PcapSource(name, size, opener, table, fromNanos, toNanos);
    }

    public PcapSource within(long from, long to) {
        return new PcapSource(name, size, opener, workloads, from, to);
    }

    boolean holdsTime(long nanos) {
        return nanos >= fromNanos && nanos <= toNanos;
    }

    public PcapReader open() throws IOException {
        return opener.open();
    }
}
