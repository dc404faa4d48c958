package dev.trawl.engine.http2;

import dev.trawl.engine.Bytes;
import dev.trawl.engine.DecodingParser;
import dev.trawl.engine.Direction;
import dev.trawl.engine.Entry;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.grpc.GrpcCall;
import java.nio.ByteBuffer;

/** Turns the streams of one HTTP/2 connection into entries: one per stream. */
final class Http2Describer extends DecodingParser<Http2Decoder, Http2Exchange> {
    /** The HTTP/1.1 request that asked for {@code Upgrade: h2c}: it is stream 1's request. */
    private java.util.Map<String, String> upgrade;

    Http2Describer(TcpContext ctx) {
        super(ctx, sink -> new Http2Decoder(ctx.bodyLimit(), sink));
        this.upgrade = ctx.handedOver();
    }

    @Override
    public int onData(Direction direction, ByteBuffer data, long timestampNanos) {
        if (!upgrade.isEmpty()) {
            java.util.List<Header> headers = new java.util.ArrayList<>();
            for (String name : new String[] {":method", ":path", ":authority"}) {
                headers.add(new Header(name, upgrade.getOrDefault(name, "")));
            }
            upgrade.forEach((k, v) -> {
                if (!k.startsWith(":")) {
                    headers.add(new Header(k, v));
                }
            });
            decoder.upgradedFrom(headers, 0, timestampNanos / 1000);
            upgrade = java.util.Map.of();
        }
        return super.onData(direction, data, timestampNanos);
    }

    @Override
    protected void describe(Http2Exchange x, Entry.Builder e) {
        e.timestampMicros(x.requestMicros() != 0 ? x.requestMicros() : x.responseMicros());
        String method = x.requestHeader(":method");
        String path = x.requestHeader(":path");
        String authority = x.requestHeader(":authority");
        e.method(method).path(path).host(authority != null ? authority : x.requestHeader("host"));
        e.requestSize(x.requestSize()).responseSize(x.responseSize());
        x.requestHeaders().forEach(h -> e.requestHeader(h.name(), h.value()));
        x.responseHeaders().forEach(h -> e.responseHeader(h.name(), h.value()));
        x.trailers().forEach(h -> e.responseHeader(h.name(), h.value()));
        e.requestBody(Bytes.text(x.requestBody(), x.requestBody().length));
        e.responseBody(Bytes.text(x.responseBody(), x.responseBody().length));
        e.field("http2_stream_id", x.streamId());
        int status = parseStatus(x.responseHeader(":status"));
        boolean answered = x.answered();
        e.answered(answered);
        if (answered && x.requestMicros() != 0) {
            e.latencyMicros(x.responseMicros() - x.requestMicros());
        }
        if (x.requestMicros() == 0) {
            e.field("request_missing", "true");
        }
        if (x.resetCode() >= 0) {
            e.field("http2_rst_code", x.resetCode());
        }
        if (x.error() != null) {
            e.field("http2_error", x.error());
        }
        if (GrpcCall.isGrpc(x)) {
            GrpcCall g = GrpcCall.from(x);
            e.protocol("grpc");
            e.field("http_status", status);
            e.field("grpc_service", g.service()).field("grpc_method", g.method());
            e.field("grpc_request_messages", g.requestMessages()).field("grpc_response_messages", g.responseMessages());
            if (!g.encoding().equals("identity")) {
                e.field("grpc_encoding", g.encoding());
            }
            if (g.status() >= 0) {
                e.status(g.status()).statusText(g.statusName());
                e.field("grpc_status", g.status()).field("grpc_status_name", g.statusName());
                if (!g.message().isEmpty()) {
                    e.field("grpc_message", g.message());
                }
            } else {
                e.status(status);
            }
            e.summary(g.service() + "/" + g.method() + (g.status() >= 0 ? " -> " + g.statusName() : ""));
        } else {
            e.status(status);
            e.summary((method == null ? "" : method) + " " + (path == null ? "" : path)
                    + (status > 0 ? " -> " + status : ""));
        }
    }

    private static int parseStatus(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException ex) {
            return 0;
        }
    }
}
