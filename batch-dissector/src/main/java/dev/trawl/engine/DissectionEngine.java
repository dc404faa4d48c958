package dev.trawl.engine;

import java.io.IOException;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Turns the PCAP chunks of a node into entries (API calls). Immutable and reusable; each
 * dissection runs in its own {@link EngineSession}.
 *
 * <pre>{@code
 * DissectionEngine engine = DissectionEngine.builder().options(DissectionOptions.defaults().withBodyLimit(4096)).build();
 * DissectionStats stats = engine.dissect("node-a", List.of(PcapSource.file(chunk1), PcapSource.file(chunk2)), sink);
 * }</pre>
 */
public final class DissectionEngine {
    private final ProtocolRegistry registry;
    private final DissectionOptions options;
    private final Redaction redaction;

    private DissectionEngine(Builder b) {
        this.registry = b.registry == null ? ProtocolRegistry.standard() : b.registry;
        this.options = b.options == null ? DissectionOptions.defaults() : b.options;
        this.redaction = b.redaction == null ? Redaction.standard() : b.redaction;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static DissectionEngine standard() {
        return builder().build();
    }

    public ProtocolRegistry registry() {
        return registry;
    }

    public DissectionOptions options() {
        return options;
    }

    /** What is taken out of entries before they leave the engine. */
    public Redaction redaction() {
        return redaction;
    }

    /** A dissection to feed source by source. */
    public EngineSession newSession(String node, EntrySink sink) {
        return newSession(node, sink, ProgressListener.NONE, () -> false);
    }

    /**
     * A dissection that reports progress and checks {@code cancelled} between packets (every
     * thousand or so); once it answers true, no further entries are emitted.
     */
    public EngineSession newSession(String node, EntrySink sink, ProgressListener progress, BooleanSupplier cancelled) {
        return new EngineSession(node, sink, options, redaction, registry, progress, cancelled);
    }

    /** Dissects the sources of one node, in order, to the end. */
    public DissectionStats dissect(String node, List<PcapSource> sources, EntrySink sink) throws IOException {
        return dissect(node, sources, sink, ProgressListener.NONE, () -> false);
    }

    public DissectionStats dissect(String node, List<PcapSource> sources, EntrySink sink, ProgressListener progress,
                                   BooleanSupplier cancelled) throws IOException {
        EngineSession d = newSession(node, sink, progress, cancelled);
        d.expectSources(sources.size());
        try {
            for (PcapSource s : sources) {
                if (!d.feed(s)) break;
            }
        } catch (IOException | RuntimeException e) {
            sink.flush();
            throw e;
        }
        return d.finish();
    }

    public static final class Builder {
        private ProtocolRegistry registry;
        private DissectionOptions options;
        private Redaction redaction;

        public Builder registry(ProtocolRegistry registry) {
            this.registry = registry;
            return this;
        }

        public Builder options(DissectionOptions options) {
            this.options = options;
            return this;
        }

        /** Secrets redacted at dissection time; by default {@link Redaction#standard()}. */
        public Builder redaction(Redaction redaction) {
            this.redaction = redaction;
            return this;
        }

        public DissectionEngine build() {
            return new DissectionEngine(this);
        }
    }
}
