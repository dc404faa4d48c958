package dev.trawl.functions.calls.kfl;

/** What a KFL expression evaluates to; decides which SQL a comparison or function becomes. */
enum Type {
    BOOL("bool"), INT("int"), FLOAT("double"), STRING("string"), TIME("timestamp"),
    DURATION("duration"), LIST("list(string)"), MAP("map(string, string)"), REGEX("regex"), NULL("null");

    final String kfl;

    Type(String kfl) {
        this.kfl = kfl;
    }

    boolean numeric() {
        return this == INT || this == FLOAT;
    }
}
