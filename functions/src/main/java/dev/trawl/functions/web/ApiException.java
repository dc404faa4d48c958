package dev.trawl.functions.web;

/**
 * An error the API answers as {@code {success:false,error:"..."}} with {@link #status()}. Throw
 * one of the subclasses from a function; {@link ErrorResponses} turns it into the answer.
 */
public abstract class ApiException extends RuntimeException {
    private final int status;

    protected ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    protected ApiException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** 400: the request is wrong and says why. */
    public static final class BadRequest extends ApiException {
        public BadRequest(String message) {
            super(400, message);
        }
    }

    /** 403: the caller's role does not allow this (the message names the role that does). */
    public static final class Forbidden extends ApiException {
        public Forbidden(String message) {
            super(403, message);
        }
    }

    /** 404: the named thing does not exist. */
    public static final class NotFound extends ApiException {
        public NotFound(String message) {
            super(404, message);
        }
    }

    /** 409: the name is taken, or the thing is in a state that forbids the request. */
    public static final class Conflict extends ApiException {
        public Conflict(String message) {
            super(409, message);
        }
    }

    /** 416: a Range outside the resource. */
    public static final class RangeNotSatisfiable extends ApiException {
        public RangeNotSatisfiable(String message) {
            super(416, message);
        }
    }

    /** 500 with a message meant for the caller (storage unreachable, a broken object). */
    public static final class Internal extends ApiException {
        public Internal(String message, Throwable cause) {
            super(500, message, cause);
        }
    }
}
