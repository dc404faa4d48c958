package dev.trawl.core;

import java.util.regex.Pattern;

/**
 * The one rule for every user-given name (node, snapshot, dissection): it becomes part of an
 * S3 key or a ClickHouse dataset, so it is checked here and never used as a path before that.
 */
public final class Names {
    public static final String RULE = "[a-z0-9][a-z0-9._-]{0,62}";
    private static final Pattern VALID = Pattern.compile(RULE);

    private Names() {}

    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches() && !name.contains("..");
    }

    /** Returns the name when it is valid; otherwise throws with a message fit for a 400 answer. */
    public static String require(String what, String name) {
        if (!isValid(name)) {
            throw new InvalidNameException(what + " name " + quote(name)
                    + " is invalid: it must match " + RULE + " (lower-case letters, digits, '.', '_', '-'; at most 63; no '..')");
        }
        return name;
    }

    private static String quote(String s) {
        if (s == null) return "(missing)";
        String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    public static final class InvalidNameException extends IllegalArgumentException {
        public InvalidNameException(String message) {
            super(message);
        }
    }
}
