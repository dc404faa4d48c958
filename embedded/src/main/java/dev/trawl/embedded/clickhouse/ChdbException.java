package dev.trawl.embedded.clickhouse;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An error chDB reported, with ClickHouse's error code (as a ClickHouse server would send it). */
public final class ChdbException extends RuntimeException {
    private static final Pattern CODE = Pattern.compile("Code:\\s*(\\d+)");
    /** ClickHouse's catch-all code, for messages that carry none. */
    public static final int UNKNOWN_EXCEPTION = 1001;

    private final int code;

    public ChdbException(int code, String message) {
        super(message);
        this.code = code;
    }

    /** From chDB's error text, which usually reads {@code Code: N. DB::Exception: ...}. */
    public static ChdbException fromMessage(String message) {
        String text = message == null ? "unknown chDB error" : message.strip();
        Matcher m = CODE.matcher(text);
        int code = m.find() ? Integer.parseInt(m.group(1)) : UNKNOWN_EXCEPTION;
        return new ChdbException(code, text);
    }

    public int code() {
        return code;
    }

    /** The text a ClickHouse server puts in an error response body. */
    public String clickHouseText() {
        String text = getMessage();
        return text.startsWith("Code:") ? text : "Code: " + code + ". DB::Exception: " + text;
    }
}
