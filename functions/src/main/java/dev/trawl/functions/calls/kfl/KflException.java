package dev.trawl.functions.calls.kfl;

/**
 * A KFL filter that cannot be compiled: bad syntax, an unknown field, a type mismatch. The
 * position is the 0-based character offset in the filter where the problem starts, so a caller
 * can point at it.
 */
public final class KflException extends RuntimeException {

    private final int position;

    public KflException(int position, String problem) {
        super("KFL error at position " + position + ": " + problem);
        this.position = position;
    }

    public int position() {
        return position;
    }
}
