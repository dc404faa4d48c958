package dev.trawl.engine.http2;

import java.util.List;

/**
 * One HTTP/2 stream as seen on the wire: the request's header block and body, the response's
 * header block, body and trailers. Bodies are cut at the connection's body limit; sizes count
 * every frame payload byte of the stream. Timestamps are microseconds; a time of 0 means that
 * side was never seen.
 *
 * @param error why the stream could not be read fully (HPACK context lost, stream reset, ...), or null
 */
public record Http2Exchange(
        int streamId,
        List<Header> requestHeaders,
        byte[] requestBody,
        long requestSize,
        long requestMicros,
        List<Header> responseHeaders,
        List<Header> trailers,
        byte[] responseBody,
        long responseSize,
        long responseMicros,
        long endMicros,
        int resetCode,
        String error) {

    public String requestHeader(String name) {
        return first(requestHeaders, name);
    }

    public String responseHeader(String name) {
        return first(responseHeaders, name);
    }

    /** A response field, looked up in the trailers first: gRPC puts its status there. */
    public String trailerOrHeader(String name) {
        String v = first(trailers, name);
        return v != null ? v : first(responseHeaders, name);
    }

    public boolean answered() {
        return responseMicros != 0;
    }

    private static String first(List<Header> headers, String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }
}
