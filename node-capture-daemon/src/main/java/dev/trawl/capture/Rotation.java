package dev.trawl.capture;

import java.time.Duration;

/**
 * When a chunk closes: at {@code maxBytes} of PCAP or {@code maxAge} after it opened, whichever
 * comes first.
 */
public record Rotation(long maxBytes, Duration maxAge) {
    public static final Rotation DEFAULT = new Rotation(64L << 20, Duration.ofSeconds(30));

    public Rotation {
        if (maxBytes < 1024) throw new IllegalArgumentException("rotation size must be at least 1 KiB, not " + maxBytes);
        if (maxAge == null || maxAge.toMillis() < 100) throw new IllegalArgumentException("rotation time must be at least 100 ms, not " + maxAge);
    }
}
