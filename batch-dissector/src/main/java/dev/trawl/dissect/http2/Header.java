package dev.trawl.dissect.http2;

/** One decoded header field; pseudo-headers keep their leading colon. */
public record Header(String name, String value) {}
