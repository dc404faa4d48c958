package dev.trawl.functions.web;

import dev.trawl.core.Names;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/** Every error, from a function or a controller, as {@code {success:false,error:"..."}} with its status. */
@RestControllerAdvice
public class ErrorResponses {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);

    /** Every error's JSON: {@code {"success":false,"error":"..."}}. */
    public record ErrorBody(boolean success, String error) {}

    public static ErrorBody body(String error) {
        return new ErrorBody(false, error);
    }

    public static ResponseEntity<ErrorBody> of(int status, String error) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body(error));
    }

    @ExceptionHandler(ApiException.class)
    public ResponseEntity<ErrorBody> api(ApiException e) {
        if (e.status() >= 500) log.error("{}", e.getMessage(), e);
        return of(e.status(), e.getMessage());
    }

    @ExceptionHandler(Names.InvalidNameException.class)
    public ResponseEntity<ErrorBody> invalidName(Names.InvalidNameException e) {
        return of(400, e.getMessage());
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    public ResponseEntity<ErrorBody> unreadable(HttpMessageNotReadableException e) {
        return of(400, "request body is not valid JSON: " + rootMessage(e));
    }

    @ExceptionHandler(NoResourceFoundException.class)
    public ResponseEntity<ErrorBody> noRoute(NoResourceFoundException e) {
        return of(404, "no such endpoint: /" + e.getResourcePath() + " (GET /mcp lists them)");
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    public ResponseEntity<ErrorBody> method(HttpRequestMethodNotSupportedException e) {
        return of(405, e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    public ResponseEntity<ErrorBody> unexpected(Exception e) {
        // functions invoked through Spring Cloud Function may arrive wrapped
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) return api(api);
            if (t instanceof Names.InvalidNameException bad) return invalidName(bad);
        }
        // the stack, with the message cut to MAX_MESSAGE: a failed parse may quote a whole request
        var logged = new IllegalStateException(e.getClass().getName() + ": " + rootMessage(e));
        logged.setStackTrace(e.getStackTrace());
        log.error("unexpected error", logged);
        return of(500, "internal error: " + rootMessage(e));
    }

    /** At most this much of a message reaches an answer or the log: a parser's message may quote the request. */
    static final int MAX_MESSAGE = 2000;

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "... (" + message.length() + " characters)";
    }
}
