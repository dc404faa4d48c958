package dev.trawl.core.chunk;

/**
 * Who owned an IP address while a chunk was captured. Any field may be null when unknown (a
 * host-network pod has no service; a static table may only name the pod).
 */
public record Workload(String pod, String namespace, String service, String node) {}
