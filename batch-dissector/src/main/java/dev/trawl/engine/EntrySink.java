package dev.trawl.engine;

/**
 * Where entries go: the batch job's ClickHouse writer, the CLI's JSON lines, a test's list.
 * Called on the dissecting thread, in the order entries complete.
 */
@FunctionalInterface
public interface EntrySink {
    void accept(Entry entry);

    /** Called once when a dissection ends (normally, cancelled or failed). */
    default void flush() {}
}
