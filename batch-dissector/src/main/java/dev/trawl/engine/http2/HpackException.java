package dev.trawl.engine.http2;

/** A header block that cannot be decoded: the decoder's dynamic table is no longer trustworthy. */
public final class HpackException extends Exception {
    public HpackException(String message) {
        super(message, null, false, false);
    }
}
