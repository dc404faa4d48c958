package dev.trawl.engine.mysql;

/**
 * One MySQL command and its response, or the connection's handshake (command {@code HANDSHAKE}:
 * {@code sql} then holds the user, {@code database} the schema asked for).
 *
 * @param command the command's name without its COM_ prefix: QUERY, STMT_PREPARE, STMT_EXECUTE, INIT_DB, PING, ...
 * @param sql the query text (cut at the decoder's limit) for QUERY and STMT_PREPARE, and for STMT_EXECUTE
 *        when its PREPARE was captured
 * @param result {@code OK}, {@code ERR}, {@code RESULTSET}, {@code EOF}, or empty when unanswered
 * @param errorCode the ERR packet's code, 0 when none
 */
public record MySqlExchange(String command, String sql, String database, String result, int errorCode,
                            String sqlState, String errorMessage, long affectedRows, long rows, int columns,
                            long requestSize, long responseSize, long requestMicros, long responseMicros) {

    public boolean answered() {
        return responseMicros != 0;
    }
}
