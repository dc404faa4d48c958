package dev.trawl.engine;

/**
 * Where entries go: the batch job's ClickHouse writer, the CLI's JSON lines, a test's list.
 * Called on the dissecting thread, in the order entries complete.
 */
@FunctionalInterface
public interface EntrySink {
    void accept(Entry entry);

    /** A finished TCP connection or UDP flow; sinks that keep no flows ignore it. */
    default void acceptFlow(dev.trawl.engine.flow.Flow flow) {}

    /** Called once when a dissection ends (normally, cancelled or failed). */
    default void flush() {}
}
