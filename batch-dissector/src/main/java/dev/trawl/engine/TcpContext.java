package dev.trawl.engine;

/**
 * What a {@link TcpParser} may ask of the engine for its connection.
 */
public interface TcpContext {

    /** Client and server of this connection. */
    Endpoints endpoints();

    /** How many bytes of a body to keep in an entry; the rest is counted, not kept. */
    int bodyLimit();

    /** The capture (file name or S3 key) the newest bytes came from. */
    String source();

    /**
     * A builder with what the engine knows already: node, transport, addresses and ports,
     * protocol (this parser's) and source. The parser adds the rest and calls {@link #emit}.
     */
    Entry.Builder newEntry();

    /** Hands an entry to the sink, after giving it a deterministic id. */
    void emit(Entry.Builder entry);

    /**
     * Hands the rest of the connection to another protocol's parser, e.g. after an HTTP
     * {@code Upgrade: websocket}. Returns false when no protocol of that name is registered
     * (the caller then carries on, or ignores the rest). The bytes not consumed by the
     * current call of {@code onData} go to the new parser.
     */
    boolean handOff(String protocolName);

    /**
     * {@link #handOff(String)} with what the next parser should know of the connection's past,
     * as HTTP/2-style names: {@code :method}, {@code :path}, {@code :authority} of the request
     * that asked for the upgrade, and any of its headers in lower case.
     */
    default boolean handOff(String protocolName, java.util.Map<String, String> upgradeRequest) {
        return handOff(protocolName);
    }

    /** What the previous parser handed over (see {@link #handOff(String, java.util.Map)}); empty when none. */
    default java.util.Map<String, String> handedOver() {
        return java.util.Map.of();
    }

    /** Counts an event of this protocol in the dissection's stats (e.g. "dns_messages", "malformed"). */
    void count(String counter);
}
