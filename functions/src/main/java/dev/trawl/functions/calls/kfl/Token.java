package dev.trawl.functions.calls.kfl;

/** One lexical token of a KFL filter; {@code pos} is its first character's offset. */
record Token(Kind kind, String text, Object value, int pos) {

    enum Kind {
        IDENT, STRING, REGEX, INT, FLOAT, OP, LPAREN, RPAREN, LBRACKET, RBRACKET, DOT, COMMA,
        QUESTION, COLON, EOF
    }

    boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    /** How the token reads in an error message. */
    String describe() {
        return switch (kind) {
            case EOF -> "end of input";
            case STRING -> "string " + text;
            case REGEX -> "regex " + text;
            case INT, FLOAT -> "number " + text;
            case IDENT -> "'" + text + "'";
            default -> "'" + text + "'";
        };
    }
}
