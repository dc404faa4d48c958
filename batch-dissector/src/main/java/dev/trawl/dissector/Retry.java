package dev.trawl.dissector;

import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries an action against a remote (S3, ClickHouse) with exponential backoff, then gives up
 * with the last failure, so the job can end as {@code failed} with the reason instead of hanging.
 */
public record Retry(int attempts, Duration firstBackoff) {
    private static final Logger log = LoggerFactory.getLogger(Retry.class);

    public static final Retry DEFAULT = new Retry(5, Duration.ofSeconds(1));

    /** {@code TRAWL_DISSECTOR_RETRIES} and {@code TRAWL_DISSECTOR_RETRY_BACKOFF_MS}. */
    public static Retry from(Function<String, String> lookup) {
        String n = lookup.apply("TRAWL_DISSECTOR_RETRIES");
        String ms = lookup.apply("TRAWL_DISSECTOR_RETRY_BACKOFF_MS");
        return new Retry(n == null || n.isBlank() ? DEFAULT.attempts : Integer.parseInt(n.strip()),
                ms == null || ms.isBlank() ? DEFAULT.firstBackoff : Duration.ofMillis(Long.parseLong(ms.strip())));
    }

    public Retry {
        if (attempts < 1) throw new IllegalArgumentException("attempts must be at least 1");
    }

    @FunctionalInterface
    public interface Action<T> {
        T run() throws Exception;
    }

    public <T> T run(String what, Action<T> action) {
        Exception last = null;
        long backoff = firstBackoff.toMillis();
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                return action.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RemoteFailure(what + ": interrupted", e);
            } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
                // an object that is not there will not appear by asking again
                throw e;
            } catch (Exception e) {
                last = e;
                if (attempt == attempts) break;
                log.warn("{} failed (attempt {}/{}), retrying in {} ms: {}", what, attempt, attempts, backoff, reason(e));
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new RemoteFailure(what + ": interrupted", ie);
                }
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
        throw new RemoteFailure(what + " failed after " + attempts + " attempts: " + reason(last), last);
    }

    /** The most telling message of a failure chain (the root cause's, unless it says nothing). */
    public static String reason(Throwable e) {
        Throwable t = e;
        while (t instanceof java.util.concurrent.ExecutionException || t instanceof java.util.concurrent.CompletionException) {
            if (t.getCause() == null) break;
            t = t.getCause();
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = t.getMessage();
        String rootMessage = root == t ? null : root.getClass().getSimpleName() + ": " + root.getMessage();
        if (m == null || m.isBlank()) return rootMessage != null ? rootMessage : t.getClass().getSimpleName();
        m = m.length() > 300 ? m.substring(0, 300) + "..." : m;
        return rootMessage == null || m.contains(String.valueOf(root.getMessage())) ? m : m + " (" + rootMessage + ")";
    }

    /** A remote stayed unreachable or kept failing. */
    public static final class RemoteFailure extends RuntimeException {
        public RemoteFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
