package dev.trawl.engine.bench;

/** The benchmark's message builders, for unit tests. */
public final class DissectBenchmarkAccess {
    private DissectBenchmarkAccess() {}

    public static byte[] dnsMessage(int id, String name, boolean response) {
        return DissectBenchmark.dnsMessage(id, name, response);
    }
}
