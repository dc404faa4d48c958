package dev.trawl.core.s3;

/** A create found the name taken, also by a concurrent create (HTTP 409). */
public final class NameTakenException extends RuntimeException {
    public NameTakenException(String message) {
        super(message);
    }
}
