package dev.trawl.engine.postgresql;

import dev.trawl.engine.DecodingParser;
import dev.trawl.engine.Entry;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.sql.SqlText;

/** One entry per startup, simple query and extended-query Execute. */
final class PgDescriber extends DecodingParser<PgDecoder, PgExchange> {
    PgDescriber(TcpContext ctx) {
        super(ctx, PgDecoder::new);
    }

    @Override
    protected void describe(PgExchange x, Entry.Builder e) {
        e.timestampMicros(x.requestMicros());
        String verb = x.sql().isEmpty() ? x.kind() : SqlText.verb(x.sql());
        e.method(verb.isEmpty() ? x.kind() : verb).path(x.sql());
        e.requestSize(x.requestSize()).responseSize(x.responseSize()).answered(x.answered());
        if (x.answered()) {
            e.latencyMicros(x.responseMicros() - x.requestMicros());
        }
        e.field("pg_kind", x.kind());
        if (!x.statement().isEmpty()) {
            e.field("pg_statement", x.statement());
        }
        if (!x.commandTag().isEmpty()) {
            e.field("pg_command_tag", x.commandTag());
            e.statusText(x.commandTag());
        }
        if (x.rows() > 0) {
            e.field("pg_rows", x.rows());
        }
        x.parameters().forEach((k, v) -> e.requestHeader(k, v));
        if (x.parameters().containsKey("database")) {
            e.host(x.parameters().get("database"));
            e.path(x.parameters().getOrDefault("user", "") + "@" + x.parameters().get("database"));
        }
        if (!x.error().isEmpty()) {
            // SQLSTATE is five characters, not a number: status says "an error", the state says which
            e.status(1).statusText(x.sqlState() + " " + x.errorMessage());
            e.field("pg_sqlstate", x.sqlState()).field("pg_error", x.errorMessage())
                    .field("pg_severity", x.error().getOrDefault('S', ""));
        }
        String what = x.sql().isEmpty() ? x.kind() + (x.statement().isEmpty() ? "" : " " + x.statement()) : x.sql();
        e.summary((what.length() > 120 ? what.substring(0, 120) : what)
                + (x.error().isEmpty() ? x.commandTag().isEmpty() ? "" : " -> " + x.commandTag() : " -> " + x.sqlState()));
    }
}
