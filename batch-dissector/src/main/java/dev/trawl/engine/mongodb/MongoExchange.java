package dev.trawl.engine.mongodb;

/**
 * A MongoDB request and the reply whose responseTo names it.
 *
 * @param opCode the request's wire op: OP_MSG, OP_QUERY, OP_INSERT, ...
 * @param command the command (first field of the command document: find, insert, isMaster, ...)
 * @param ok the reply's {@code ok}, or null when it had none or was not seen
 * @param code the reply's error code, 0 when none
 */
public record MongoExchange(String opCode, int requestId, String command, String database, String collection,
                            Double ok, String errmsg, int code, String codeName, long requestSize,
                            long responseSize, long requestMicros, long responseMicros) {

    public boolean answered() {
        return responseMicros != 0;
    }

    /** database.collection, or what of it is known. */
    public String namespace() {
        if (collection.isEmpty()) {
            return database;
        }
        return database.isEmpty() ? collection : database + "." + collection;
    }
}
