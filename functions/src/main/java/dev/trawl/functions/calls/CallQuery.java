package dev.trawl.functions.calls;

/** {@code GET /mcp/calls/:id}'s parameters as they arrive (null when absent). */
public record CallQuery(String id, String db, String maxPayload) {}
