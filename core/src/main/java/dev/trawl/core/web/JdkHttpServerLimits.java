package dev.trawl.core.web;

/**
 * Limits for the JDK's built-in HTTP server (the embedded ClickHouse front, the local event
 * router). It reads a request's head and body on its executor's thread, so those servers run one
 * virtual thread per exchange, and this closes a connection whose request has taken longer than
 * {@link #MAX_REQUEST_SECONDS} to arrive (header and body; every request trawl sends is far
 * shorter). The server reads the setting once per process: call before the first one starts.
 */
public final class JdkHttpServerLimits {
    public static final String MAX_REQUEST_SECONDS = "60";
    private static final String PROPERTY = "sun.net.httpserver.maxReqTime";

    private JdkHttpServerLimits() {}

    /** Sets the request deadline unless the process was started with its own. */
    public static void apply() {
        if (System.getProperty(PROPERTY) == null) System.setProperty(PROPERTY, MAX_REQUEST_SECONDS);
    }
}
