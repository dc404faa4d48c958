package dev.trawl.embedded.clickhouse;

import java.util.Locale;

/**
 * Just enough of ClickHouse's SQL lexer for the HTTP front: the statement's first keyword and a
 * top-level {@code FORMAT <name>} clause, skipping strings, quoted identifiers and comments so a
 * {@code 'FORMAT'} inside a literal is never taken for the clause.
 */
final class Sql {
    /**
     * What the front needs to know about a statement before running it; {@code formatStart} is
     * where the FORMAT clause starts, or the VALUES keyword when {@code stoppedAtValues}.
     */
    record Statement(String keyword, String format, int formatStart, int dataStart, boolean stoppedAtValues) {
        boolean isInsert() {
            return "INSERT".equals(keyword);
        }

        boolean hasFormat() {
            return format != null;
        }
    }

    static Statement parse(String sql) {
        String keyword = null;
        int depth = 0;
        int i = 0;
        int n = sql.length();
        String previousWord = null;
        int previousWordStart = -1;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-' || c == '#') {
                while (i < n && sql.charAt(i) != '\n') i++;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '\'' || c == '"' || c == '`') {
                i = skipQuoted(sql, i, c);
                previousWord = null;
            } else if (c == '(' || c == '[') {
                depth++;
                i++;
                previousWord = null;
            } else if (c == ')' || c == ']') {
                depth--;
                i++;
                previousWord = null;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) i++;
                String word = sql.substring(start, i);
                if (keyword == null) keyword = word.toUpperCase(Locale.ROOT);
                if (depth == 0 && previousWord != null && previousWord.equalsIgnoreCase("FORMAT")) {
                    return new Statement(keyword, word, previousWordStart, i, false);
                }
                previousWord = word;
                previousWordStart = start;
                // inline data of INSERT ... VALUES is not SQL to lex further
                if (depth == 0 && "INSERT".equals(keyword) && word.equalsIgnoreCase("VALUES")) {
                    return new Statement(keyword, null, start, -1, true);
                }
            } else {
                i++;
                previousWord = null;
            }
        }
        return new Statement(keyword == null ? "" : keyword, null, -1, -1, false);
    }

    private static int skipQuoted(String sql, int i, char quote) {
        int n = sql.length();
        i++;
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                if (i + 1 < n && sql.charAt(i + 1) == quote) i += 2;
                else return i + 1;
            } else {
                i++;
            }
        }
        return n;
    }

    /**
     * The names (plain or quoted) followed, past blanks and comments, by {@code next}: with
     * {@code '='} the settings assigned anywhere ({@code SET x = 1}, {@code SETTINGS x = 1}, a
     * table's {@code SETTINGS}), which ClickHouse's tree does not show; with {@code '('} the
     * functions called.
     */
    static java.util.List<String> namesFollowedBy(String sql, char next) {
        java.util.List<String> names = new java.util.ArrayList<>();
        String previous = null;
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-' || c == '#') {
                while (i < n && sql.charAt(i) != '\n') i++;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '\'') {
                i = skipQuoted(sql, i, c);
                previous = null;
            } else if (c == '"' || c == '`') {
                int end = skipQuoted(sql, i, c);
                previous = unquoteIdentifier(sql.substring(i, end));
                i = end;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) i++;
                previous = sql.substring(start, i);
            } else {
                if (c == next && previous != null && (c != '=' || i + 1 >= n || sql.charAt(i + 1) != '=')) names.add(previous);
                previous = null;
                i++;
            }
        }
        return names;
    }

    /**
     * What chDB's streaming API runs: a SELECT (after WITH, FROM or '('). It refuses SHOW,
     * DESCRIBE, EXISTS, EXPLAIN, ... ("Streaming query is not supported"); their few rows come whole.
     */
    static boolean streams(String keyword) {
        return switch (keyword) {
            case "SELECT", "WITH", "FROM", "(" -> true;
            default -> false;
        };
    }

    static String quoteIdentifier(String name) {
        return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }

    static String unquoteIdentifier(String text) {
        String t = text.strip();
        if (t.length() >= 2 && (t.charAt(0) == '`' || t.charAt(0) == '"') && t.charAt(t.length() - 1) == t.charAt(0)) {
            return t.substring(1, t.length() - 1).replace("\\" + t.charAt(0), String.valueOf(t.charAt(0))).replace("\\\\", "\\");
        }
        return t;
    }

    private Sql() {}
}
