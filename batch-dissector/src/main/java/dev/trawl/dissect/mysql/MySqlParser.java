package dev.trawl.dissect.mysql;

import dev.trawl.dissect.DecoderParser;
import dev.trawl.dissect.Direction;
import dev.trawl.dissect.Entry;
import dev.trawl.dissect.TcpContext;
import dev.trawl.dissect.sql.SqlText;
import java.nio.ByteBuffer;

/** One entry per command (and one for the handshake). */
final class MySqlParser extends DecoderParser<MySqlConnection, MySqlExchange> {
    private boolean tls;

    MySqlParser(TcpContext ctx) {
        super(ctx, MySqlConnection::new);
    }

    @Override
    public int onData(Direction direction, ByteBuffer data, long timestampNanos) {
        int consumed = super.onData(direction, data, timestampNanos);
        if (connection.encrypted() && !tls) {
            // the client asked for TLS: the TLS parser reads the handshake (SNI, ALPN) from here on
            tls = true;
            if (!ctx.handOff("tls")) {
                connection.discardEncrypted();
            }
        }
        return consumed;
    }

    @Override
    protected void emit(MySqlExchange x) {
        Entry.Builder e = ctx.newEntry();
        e.timestampMicros(x.requestMicros() != 0 ? x.requestMicros() : x.responseMicros());
        boolean handshake = x.command().equals("HANDSHAKE");
        boolean hasSql = !handshake && !x.sql().isEmpty() && !x.command().equals("INIT_DB");
        String verb = hasSql ? SqlText.verb(x.sql()) : "";
        e.method(verb.isEmpty() ? x.command() : verb);
        if (handshake) {
            e.path(x.sql() + (x.database().isEmpty() ? "" : "@" + x.database())).host(x.database());
            e.field("mysql_user", x.sql());
            if (!connection.serverVersion().isEmpty()) {
                e.field("mysql_server_version", connection.serverVersion());
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
        ctx.emit(e);
    }
}
