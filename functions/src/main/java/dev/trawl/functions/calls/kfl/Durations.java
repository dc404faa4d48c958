package dev.trawl.functions.calls.kfl;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** CEL's duration("1h30m") and timestamp("2026-03-14T22:00:00Z") literals, parsed to microseconds. */
final class Durations {

    private Durations() {
    }

    /** Go's duration syntax (what CEL uses): a sequence of decimal numbers with units ns, us, µs, ms, s, m, h. */
    static long micros(String text, int pos) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new KflException(pos, "expected a duration like \"5m\", \"1h30m\" or \"250ms\" but found \"\"");
        }
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return 0;
        }
        BigDecimal total = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                throw badDuration(text, pos);
            }
            BigDecimal number;
            try {
                number = new BigDecimal(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw badDuration(text, pos);
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            BigDecimal perUnit = switch (s.substring(unitStart, i)) {
                case "ns" -> new BigDecimal("0.001");
                case "us", "µs", "μs" -> BigDecimal.ONE;
                case "ms" -> BigDecimal.valueOf(1_000);
                case "s" -> BigDecimal.valueOf(1_000_000);
                case "m" -> BigDecimal.valueOf(60_000_000);
                case "h" -> BigDecimal.valueOf(3_600_000_000L);
                default -> throw badDuration(text, pos);
            };
            total = total.add(number.multiply(perUnit));
        }
        try {
            long micros = total.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
            return negative ? -micros : micros;
        } catch (ArithmeticException e) {
            throw new KflException(pos, "duration out of range: \"" + text + "\"");
        }
    }

    private static KflException badDuration(String text, int pos) {
        return new KflException(pos, "expected a duration like \"5m\", \"1h30m\" or \"250ms\" (units ns, us, ms, s, m, h) but found \"" + text + "\"");
    }

    /** RFC 3339 (with Z or an offset); a time without a zone is taken as UTC. */
    static long timestampMicros(String text, int pos) {
        Instant t;
        try {
            t = OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                t = LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw new KflException(pos, "expected a timestamp like \"2026-03-14T22:00:00Z\" but found \"" + text + "\"");
            }
        }
        try {
            return micros(t);
        } catch (ArithmeticException e) {
            throw new KflException(pos, "expected a timestamp within ±292 000 years of 1970 but found \"" + text + "\"");
        }
    }

    static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }
}
