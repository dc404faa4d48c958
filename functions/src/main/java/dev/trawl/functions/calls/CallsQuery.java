package dev.trawl.functions.calls;

/**
 * {@code GET /mcp/calls}'s parameters as they arrive (null when absent): text, so that a bad one
 * gets a 400 that names it ({@link CallsService#list}).
 */
public record CallsQuery(String kfl, String db, String limit, String start, String end, String format) {

    /** Every call of a dataset's real-time or dissection database, the defaults for the rest. */
    public static CallsQuery of(String kfl, String db) {
        return new CallsQuery(kfl, db, null, null, null, null);
    }
}
