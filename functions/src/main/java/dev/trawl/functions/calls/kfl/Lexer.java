package dev.trawl.functions.calls.kfl;

import java.util.ArrayList;
import java.util.List;

import dev.trawl.functions.calls.kfl.Token.Kind;

/**
 * Splits a KFL filter into tokens. Accepts both dialects: Kubeshark's first KFL (regex literals
 * {@code r"4.*"}) and KFL2/CEL (single- or double-quoted strings with escapes, raw strings).
 */
final class Lexer {

    private final String src;
    private int i;

    private Lexer(String src) {
        this.src = src;
    }

    static List<Token> tokenize(String src) {
        return new Lexer(src).all();
    }

    private List<Token> all() {
        List<Token> out = new ArrayList<>();
        while (true) {
            skipSpace();
            if (i >= src.length()) {
                out.add(new Token(Kind.EOF, "", null, i));
                return out;
            }
            out.add(next());
        }
    }

    private void skipSpace() {
        while (i < src.length()) {
            char c = src.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '/' && i + 1 < src.length() && src.charAt(i + 1) == '/') {
                while (i < src.length() && src.charAt(i) != '\n') {
                    i++;
                }
            } else {
                return;
            }
        }
    }

    private Token next() {
        int start = i;
        char c = src.charAt(i);
        if ((c == 'r' || c == 'R') && i + 1 < src.length() && (src.charAt(i + 1) == '"' || src.charAt(i + 1) == '\'')) {
            i++;
            String raw = quoted(start, true);
            return new Token(Kind.REGEX, src.substring(start, i), raw, start);
        }
        if (c == '"' || c == '\'') {
            String s = quoted(start, false);
            return new Token(Kind.STRING, src.substring(start, i), s, start);
        }
        if (Character.isDigit(c)) {
            return number(start);
        }
        if (Character.isLetter(c) || c == '_') {
            while (i < src.length() && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_')) {
                i++;
            }
            return new Token(Kind.IDENT, src.substring(start, i), null, start);
        }
        i++;
        switch (c) {
            case '(': return new Token(Kind.LPAREN, "(", null, start);
            case ')': return new Token(Kind.RPAREN, ")", null, start);
            case '[': return new Token(Kind.LBRACKET, "[", null, start);
            case ']': return new Token(Kind.RBRACKET, "]", null, start);
            case '.': return new Token(Kind.DOT, ".", null, start);
            case ',': return new Token(Kind.COMMA, ",", null, start);
            case '?': return new Token(Kind.QUESTION, "?", null, start);
            case ':': return new Token(Kind.COLON, ":", null, start);
            case '+', '-', '*', '/', '%': return new Token(Kind.OP, String.valueOf(c), null, start);
            case '=':
                if (peek('=')) {
                    return new Token(Kind.OP, "==", null, start);
                }
                throw new KflException(start, "expected '==' (KFL compares with ==, not =)");
            case '!': return new Token(Kind.OP, peek('=') ? "!=" : "!", null, start);
            case '<': return new Token(Kind.OP, peek('=') ? "<=" : "<", null, start);
            case '>': return new Token(Kind.OP, peek('=') ? ">=" : ">", null, start);
            case '&':
                if (peek('&')) {
                    return new Token(Kind.OP, "&&", null, start);
                }
                throw new KflException(start, "expected '&&' or 'and' after '&'");
            case '|':
                if (peek('|')) {
                    return new Token(Kind.OP, "||", null, start);
                }
                throw new KflException(start, "expected '||' or 'or' after '|'");
            default:
                throw new KflException(start, "unexpected character '" + c + "'");
        }
    }

    private boolean peek(char c) {
        if (i < src.length() && src.charAt(i) == c) {
            i++;
            return true;
        }
        return false;
    }

    private Token number(int start) {
        boolean hex = src.startsWith("0x", i) || src.startsWith("0X", i);
        if (hex) {
            i += 2;
            while (i < src.length() && Character.digit(src.charAt(i), 16) >= 0) {
                i++;
            }
            String text = src.substring(start, i);
            skipUnsignedSuffix();
            return new Token(Kind.INT, text, parseLong(text.substring(2), 16, start), start);
        }
        while (i < src.length() && Character.isDigit(src.charAt(i))) {
            i++;
        }
        boolean fraction = false;
        if (i + 1 < src.length() && src.charAt(i) == '.' && Character.isDigit(src.charAt(i + 1))) {
            fraction = true;
            i++;
            while (i < src.length() && Character.isDigit(src.charAt(i))) {
                i++;
            }
        }
        if (i < src.length() && (src.charAt(i) == 'e' || src.charAt(i) == 'E')) {
            int save = i;
            i++;
            if (i < src.length() && (src.charAt(i) == '+' || src.charAt(i) == '-')) {
                i++;
            }
            if (i < src.length() && Character.isDigit(src.charAt(i))) {
                fraction = true;
                while (i < src.length() && Character.isDigit(src.charAt(i))) {
                    i++;
                }
            } else {
                i = save;
            }
        }
        String text = src.substring(start, i);
        if (fraction) {
            return new Token(Kind.FLOAT, text, Double.parseDouble(text), start);
        }
        skipUnsignedSuffix();
        return new Token(Kind.INT, text, parseLong(text, 10, start), start);
    }

    private void skipUnsignedSuffix() {
        if (i < src.length() && (src.charAt(i) == 'u' || src.charAt(i) == 'U')) {
            i++;
        }
    }

    private static long parseLong(String digits, int radix, int pos) {
        try {
            return Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            throw new KflException(pos, "number out of range: " + digits);
        }
    }

    /** Reads a quoted string starting at the quote at {@code i}; raw strings keep backslashes. */
    private String quoted(int start, boolean raw) {
        char quote = src.charAt(i++);
        StringBuilder out = new StringBuilder();
        while (true) {
            if (i >= src.length()) {
                throw new KflException(start, "unterminated string: expected a closing " + quote);
            }
            char c = src.charAt(i++);
            if (c == quote) {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i >= src.length()) {
                throw new KflException(start, "unterminated string: expected a closing " + quote);
            }
            char e = src.charAt(i++);
            if (raw) {
                // a raw string (a regex) keeps its escapes for the regex engine; \" only stops the string from ending
                out.append('\\').append(e);
                continue;
            }
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case '0' -> out.append('\0');
                case '\\', '"', '\'', '/' -> out.append(e);
                case 'u' -> {
                    if (i + 4 > src.length()) {
                        throw new KflException(i - 2, "expected four hex digits after \\u");
                    }
                    try {
                        out.append((char) Integer.parseInt(src.substring(i, i + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw new KflException(i - 2, "expected four hex digits after \\u");
                    }
                    i += 4;
                }
                default -> throw new KflException(i - 2, "unknown escape \\" + e + " (expected one of \\n \\t \\r \\0 \\\\ \\\" \\' \\uXXXX)");
            }
        }
    }
}
