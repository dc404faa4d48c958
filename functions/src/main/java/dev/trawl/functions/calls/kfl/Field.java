package dev.trawl.functions.calls.kfl;

/**
 * A KFL name and the fixed SQL it reads over the calls table. Only these expressions ever reach
 * SQL as identifiers: a filter names a field, it never writes SQL.
 *
 * @param lowerCase compared values are lower-cased first (the column holds lower-case names)
 * @param keys      for maps: how a key is looked up
 * @param protocol  for a protocol's own field ({@code redis_key}): that protocol; its value is
 *                  {@code column} on that protocol's rows and empty on the others
 * @param column    the column behind a protocol's own field
 */
record Field(String name, Type type, String sql, boolean lowerCase, Keys keys, String description, String protocol, String column) {

    Field(String name, Type type, String sql, boolean lowerCase, Keys keys, String description) {
        this(name, type, sql, lowerCase, keys, description, null, null);
    }

    enum Keys {
        NONE,
        /** HTTP header names: any case matches. */
        CASE_INSENSITIVE,
        EXACT
    }

    /** SQL of the value under a key (already a bound parameter); empty when absent. */
    String lookup(String keySql) {
        return switch (keys) {
            case CASE_INSENSITIVE -> "arrayStringConcat(mapValues(mapFilter((k, v) -> lower(k) = lower(" + keySql + "), " + sql + ")), ', ')";
            case EXACT -> sql + "[" + keySql + "]";
            case NONE -> throw new IllegalStateException(name + " is not a map");
        };
    }

    /** SQL of whether the key is present. */
    String containsKey(String keySql) {
        return switch (keys) {
            case CASE_INSENSITIVE -> "arrayExists(k -> lower(k) = lower(" + keySql + "), mapKeys(" + sql + "))";
            case EXACT -> "mapContains(" + sql + ", " + keySql + ")";
            case NONE -> throw new IllegalStateException(name + " is not a map");
        };
    }
}
