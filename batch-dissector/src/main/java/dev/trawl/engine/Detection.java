package dev.trawl.engine;

/** A protocol's verdict on the first bytes of one direction of a TCP stream. */
public enum Detection {
    /** These bytes are what this protocol's client sends first. */
    CLIENT,
    /** These bytes are what this protocol's server sends (e.g. the stream's start was not captured, or the server speaks first). */
    SERVER,
    /** Could be this protocol: show me more bytes. */
    NEED_MORE,
    /** Not this protocol. */
    NO
}
