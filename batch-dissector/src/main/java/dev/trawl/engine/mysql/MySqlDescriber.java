package dev.trawl.engine.mysql;

import dev.trawl.engine.DecodingParser;
import dev.trawl.engine.Entry;
import dev.trawl.engine.TcpContext;
import dev.trawl.engine.sql.SqlText;

/** One entry per command (and one for the handshake). */
final class MySqlDescriber extends DecodingParser<MySqlDecoder, MySqlExchange> {
    MySqlDescriber(TcpContext ctx) {
        super(ctx, MySqlDecoder::new);
    }

    @Override
    protected void describe(MySqlExchange x, Entry.Builder e) {
        e.timestampMicros(x.requestMicros() != 0 ? x.requestMicros() : x.responseMicros());
        boolean handshake = x.command().equals("HANDSHAKE");
        boolean hasSql = !handshake && !x.sql().isEmpty() && !x.command().equals("INIT_DB");
        String verb = hasSql ? SqlText.verb(x.sql()) : "";
        e.method(verb.isEmpty() ? x.command() : verb);
        if (handshake) {
            e.path(x.sql() + (x.database().isEmpty() ? "" : "@" + x.database())).host(x.database());
            e.field("mysql_user", x.sql());
            if (!decoder.serverVersion().isEmpty()) {
                e.field("mysql_server_version", decoder.serverVersion());
            }
        } else {
            e.path(x.sql());
        }
        e.requestSize(x.requestSize()).responseSize(x.responseSize()).answered(x.answered());
        if (x.answered() && x.requestMicros() != 0) {
            e.latencyMicros(x.responseMicros() - x.requestMicros());
        }
        e.field("mysql_command", x.command());
        if (!x.result().isEmpty()) {
            e.field("mysql_result", x.result());
        }
        if (x.result().equals("RESULTSET")) {
            e.field("mysql_columns", x.columns()).field("mysql_rows", x.rows());
            e.statusText(x.rows() + " rows");
        } else if (x.result().equals("OK")) {
            e.field("mysql_affected_rows", x.affectedRows());
            e.statusText("OK");
        }
        if (x.errorCode() != 0) {
            e.status(x.errorCode()).statusText(x.sqlState() + " " + x.errorMessage());
            e.field("mysql_error_code", x.errorCode()).field("mysql_sqlstate", x.sqlState())
                    .field("mysql_error", x.errorMessage());
        }
        String what = hasSql ? x.sql() : x.command() + (x.sql().isEmpty() ? "" : " " + x.sql());
        e.summary((what.length() > 120 ? what.substring(0, 120) : what) + (x.result().isEmpty() ? "" : " -> " + x.result()));
    }
}
