package dev.trawl.engine.http2;

/** One decoded header field; pseudo-headers keep their leading colon. */
public record Header(String name, String value) {}
