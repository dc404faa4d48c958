package dev.trawl.engine.redis;

import java.util.List;

/**
 * One RESP2/RESP3 value. Strings are cut at the decoder's limit ({@code size} keeps the length
 * on the wire); aggregates keep their first elements ({@code size} keeps the count).
 *
 * @param type the RESP type byte: {@code + - : $ * _ , # ! = ( % ~ >}, or {@code ' '} for an inline command
 * @param text the string, error, number or bool text; null for a null or an aggregate
 */
public record RespValue(char type, String text, List<RespValue> elements, long size) {

    public boolean isError() {
        return type == '-' || type == '!';
    }

    public boolean isAggregate() {
        return type == '*' || type == '%' || type == '~' || type == '>' || type == ' ';
    }

    public boolean isNull() {
        return type == '_' || (text == null && elements == null);
    }

    /** The i-th element's text, or null. */
    public String element(int i) {
        return elements != null && i < elements.size() ? elements.get(i).text() : null;
    }

    /** How a person would read the reply in one line. */
    public String summary() {
        if (isNull()) {
            return "(nil)";
        }
        if (elements != null) {
            return switch (type) {
                case '%' -> "map of " + size / 2;
                case '~' -> "set of " + size;
                default -> "array of " + size;
            };
        }
        return text;
    }
}
