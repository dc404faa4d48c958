package dev.trawl.engine;

/** What a {@link UdpParser} may ask of the engine. */
public interface UdpContext {

    int bodyLimit();

    /** How long (packet time) a request may wait for its response before it is emitted unanswered. */
    long transactionTimeoutNanos();

    String source();

    /** A builder with node, transport, protocol and source set; the parser sets addresses and the rest. */
    Entry.Builder newEntry();

    /**
     * Emits an entry; the id is derived from {@code idKey} (anything stable that tells this
     * transaction apart, e.g. addresses, transaction id and first timestamp) and the node.
     */
    void emit(Entry.Builder entry, String idKey);

    void count(String counter);
}
