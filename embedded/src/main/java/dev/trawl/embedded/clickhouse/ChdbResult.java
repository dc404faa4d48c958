package dev.trawl.embedded.clickhouse;

/**
 * A finished statement: its output in the format asked for, and the statistics a ClickHouse server
 * reports in {@code X-ClickHouse-Summary}.
 */
public record ChdbResult(byte[] data, long rowsRead, long bytesRead, long rowsWritten, long bytesWritten, double elapsedSeconds) {
    public String text() {
        return new String(data, java.nio.charset.StandardCharsets.UTF_8);
    }
}
