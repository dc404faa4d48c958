package dev.trawl.engine.sql;

import java.util.Locale;

/** What the SQL protocols (PostgreSQL, MySQL) share about query text. */
public final class SqlText {
    private SqlText() {}

    /**
     * The statement's verb ({@code SELECT}, {@code INSERT}, {@code BEGIN}, ...), skipping
     * leading blanks, comments and parentheses; empty when there is none.
     */
    public static String verb(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        int start = i;
        while (i < n && Character.isLetter(sql.charAt(i)) && i - start < 32) {
            i++;
        }
        return sql.substring(start, i).toUpperCase(Locale.ROOT);
    }
}
