package dev.trawl.engine.postgresql;

import java.util.Map;

/**
 * One PostgreSQL call: a startup, a simple query (answered by ReadyForQuery) or an extended
 * query's Execute (answered by CommandComplete, EmptyQueryResponse, PortalSuspended or an
 * error).
 *
 * @param kind {@code STARTUP}, {@code QUERY}, {@code EXECUTE}, {@code PARSE} (a Parse that failed
 *        before any Execute), {@code CANCEL}, {@code SSL} (an SSLRequest) or {@code FUNCTION}
 * @param sql the query text, cut at the decoder's limit; empty when the statement was prepared
 *        before the capture began
 * @param statement the prepared statement's name for EXECUTE ("" for the unnamed one)
 * @param commandTag the last CommandComplete tag ({@code SELECT 3}, {@code INSERT 0 1}, ...)
 * @param error the ErrorResponse's fields by code: {@code S} severity, {@code C} SQLSTATE, {@code M} message; empty when none
 * @param parameters for STARTUP: the startup parameters (user, database, application_name, ...)
 */
public record PgExchange(String kind, String sql, String statement, String commandTag, long rows,
                         Map<Character, String> error, Map<String, String> parameters,
                         long requestSize, long responseSize, long requestMicros, long responseMicros) {

    public boolean answered() {
        return responseMicros != 0;
    }

    public String sqlState() {
        return error.getOrDefault('C', "");
    }

    public String errorMessage() {
        return error.getOrDefault('M', "");
    }
}
