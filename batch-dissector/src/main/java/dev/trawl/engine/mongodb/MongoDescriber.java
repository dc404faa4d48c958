package dev.trawl.engine.mongodb;

import dev.trawl.engine.DecodingParser;
import dev.trawl.engine.Entry;
import dev.trawl.engine.TcpContext;

/** One entry per request (command), with the reply that answered it. */
final class MongoDescriber extends DecodingParser<MongoDecoder, MongoExchange> {
    MongoDescriber(TcpContext ctx) {
        super(ctx, MongoDecoder::new);
    }

    @Override
    protected void describe(MongoExchange x, Entry.Builder e) {
        e.timestampMicros(x.requestMicros() != 0 ? x.requestMicros() : x.responseMicros());
        e.method(x.command()).path(x.namespace()).host(x.database());
        e.requestSize(x.requestSize()).responseSize(x.responseSize()).answered(x.answered());
        if (x.answered() && x.requestMicros() != 0) {
            e.latencyMicros(x.responseMicros() - x.requestMicros());
        }
        e.field("mongodb_op", x.opCode()).field("mongodb_request_id", x.requestId());
        e.field("mongodb_database", x.database()).field("mongodb_collection", x.collection());
        if (x.requestMicros() == 0) {
            e.field("request_missing", "true");
        }
        if (x.ok() != null) {
            e.field("mongodb_ok", x.ok() == 1.0 ? "1" : String.valueOf(x.ok()));
        }
        if (!x.errmsg().isEmpty() || (x.ok() != null && x.ok() != 1.0)) {
            e.status(x.code() != 0 ? x.code() : 1).statusText(x.errmsg());
            e.field("mongodb_errmsg", x.errmsg());
            if (x.code() != 0) {
                e.field("mongodb_code", x.code());
            }
            if (!x.codeName().isEmpty()) {
                e.field("mongodb_code_name", x.codeName());
            }
        } else if (x.ok() != null) {
            e.statusText("ok");
        }
        e.summary((x.command() + " " + x.namespace()).trim() + (x.ok() == null ? "" : x.ok() == 1.0 ? " -> ok" : " -> " + x.errmsg()));
    }
}
