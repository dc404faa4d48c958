package dev.trawl.engine.grpc;

import dev.trawl.engine.http2.Http2Exchange;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A gRPC call read from its HTTP/2 stream: {@code :path} is {@code /package.Service/Method},
 * the status and message come from the trailers (or the headers of a trailers-only response).
 *
 * @param status the grpc-status, or -1 when the call has none (unanswered, reset, cut)
 * @param requestMessages length-prefixed messages seen in the request body (within the body limit)
 */
public record GrpcCall(String service, String method, int status, String statusName, String message,
                       String encoding, int requestMessages, int responseMessages) {

    private static final String[] STATUS_NAMES = {
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
        "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED"};

    /** A stream is gRPC when its request says so ({@code content-type: application/grpc[+proto|...]}). */
    public static boolean isGrpc(Http2Exchange exchange) {
        String type = exchange.requestHeader("content-type");
        if (type == null) {
            type = exchange.responseHeader("content-type");
        }
        return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16);
    }

    public static GrpcCall from(Http2Exchange exchange) {
        String path = exchange.requestHeader(":path");
        String service = "";
        String method = "";
        if (path != null && path.startsWith("/")) {
            int slash = path.indexOf('/', 1);
            if (slash > 0) {
                service = path.substring(1, slash);
                method = path.substring(slash + 1);
            } else {
                method = path.substring(1);
            }
        }
        int status = -1;
        String raw = exchange.trailerOrHeader("grpc-status");
        if (raw != null) {
            try {
                status = Integer.parseInt(raw.trim());
            } catch (NumberFormatException e) {
                status = -1;
            }
        }
        String message = exchange.trailerOrHeader("grpc-message");
        String encoding = exchange.requestHeader("grpc-encoding");
        return new GrpcCall(service, method, status, statusName(status),
                message == null ? "" : percentDecode(message), encoding == null ? "identity" : encoding,
                countMessages(exchange.requestBody()), countMessages(exchange.responseBody()));
    }

    public static String statusName(int status) {
        return status >= 0 && status < STATUS_NAMES.length ? STATUS_NAMES[status] : "";
    }

    /** Messages are framed as 1 byte compressed flag + 4 bytes big-endian length + payload. */
    static int countMessages(byte[] body) {
        int count = 0;
        long p = 0;
        while (p + 5 <= body.length) {
            long length = ((body[(int) p + 1] & 0xffL) << 24) | ((body[(int) p + 2] & 0xff) << 16)
                    | ((body[(int) p + 3] & 0xff) << 8) | (body[(int) p + 4] & 0xff);
            count++;
            p += 5 + length;
        }
        return count;
    }

    /** grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2 spec). */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                out.write(hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
