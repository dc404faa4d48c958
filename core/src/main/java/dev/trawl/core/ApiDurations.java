package dev.trawl.core;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the API writes them: one or more number-and-unit parts, Go style ({@code 30m},
 * {@code 1h}, {@code 2h30m}, {@code 90s}, {@code 500ms}), plus {@code d} for days. No sign, no
 * fractions, no spaces: anything else is refused with the reason.
 */
public final class ApiDurations {
    private static final Pattern WHOLE = Pattern.compile("(?:\\d{1,12}(?:ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

    private ApiDurations() {}

    public static Duration parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("duration is missing");
        if (!WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException("duration '" + shown(text)
                    + "' is not a duration: use a positive number with a unit, e.g. 30m, 1h, 2h30m, 90s (units ms, s, m, h, d)");
        }
        Duration total = Duration.ZERO;
        Matcher m = PART.matcher(text);
        try {
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                });
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration '" + shown(text) + "' is too long");
        }
        if (total.isZero()) throw new IllegalArgumentException("duration '" + text + "' is zero: a snapshot needs a window");
        return total;
    }

    /** The shortest form of a length in ms: {@code 1h30m}, {@code 45s}, {@code 1500ms} → {@code 1s500ms}. */
    public static String format(long ms) {
        if (ms <= 0) return "0s";
        StringBuilder b = new StringBuilder();
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
        String[] names = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            long n = ms / units[i];
            if (n > 0) {
                b.append(n).append(names[i]);
                ms -= n * units[i];
            }
        }
        return b.toString();
    }

    private static String shown(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
