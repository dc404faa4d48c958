package dev.trawl.engine;

import java.time.Duration;

/**
 * Limits and timeouts of a dissection. Every buffer the engine keeps is bounded by one of these,
 * so memory does not grow with the size of the input. Timeouts are in packet time.
 */
public record DissectionOptions(
        int bodyLimit,
        int maxBufferPerConnection,
        long maxBufferTotal,
        int maxConnections,
        Duration tcpIdleTimeout,
        Duration closedLinger,
        Duration transactionTimeout,
        Duration fragmentTimeout,
        long maxFragmentBytes) {

    public static DissectionOptions defaults() {
        return new DissectionOptions(64 * 1024, 1 << 20, 256L << 20, 1_000_000,
                Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30), 64L << 20);
    }

    public DissectionOptions withBodyLimit(int limit) {
        return new DissectionOptions(limit, maxBufferPerConnection, maxBufferTotal, maxConnections, tcpIdleTimeout,
                closedLinger, transactionTimeout, fragmentTimeout, maxFragmentBytes);
    }

    public DissectionOptions withBuffers(int perConnection, long total) {
        return new DissectionOptions(bodyLimit, perConnection, total, maxConnections, tcpIdleTimeout,
                closedLinger, transactionTimeout, fragmentTimeout, maxFragmentBytes);
    }

    public DissectionOptions withMaxConnections(int max) {
        return new DissectionOptions(bodyLimit, maxBufferPerConnection, maxBufferTotal, max, tcpIdleTimeout,
                closedLinger, transactionTimeout, fragmentTimeout, maxFragmentBytes);
    }

    public DissectionOptions withTcpIdleTimeout(Duration timeout) {
        return new DissectionOptions(bodyLimit, maxBufferPerConnection, maxBufferTotal, maxConnections, timeout,
                closedLinger, transactionTimeout, fragmentTimeout, maxFragmentBytes);
    }
}
