package dev.trawl.core;

import java.util.Locale;
import java.util.function.Function;

/**
 * {@code TRAWL_LOG_FORMAT}: {@code text} (the default, for a terminal) or {@code json}, one JSON
 * object per line for a log pipeline. In the Spring Boot apps json is Spring Boot's structured
 * logging in the Elastic Common Schema, chosen before the logging system starts.
 */
public final class LogFormat {
    static final String SPRING_CONSOLE_FORMAT = "logging.structured.format.console";

    private LogFormat() {}

    /** Sets the structured console format as a system property when the environment asks for json. */
    public static void applyToSpringBoot(Function<String, String> env) {
        String format = springConsoleFormat(env);
        if (format != null) System.setProperty(SPRING_CONSOLE_FORMAT, format);
    }

    /** Spring Boot's console format for the setting, or null for plain text. */
    static String springConsoleFormat(Function<String, String> env) {
        String value = env.apply("TRAWL_LOG_FORMAT");
        if (value == null || value.isBlank()) return null;
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "text" -> null;
            case "json" -> "ecs";
            default -> throw new IllegalArgumentException("TRAWL_LOG_FORMAT must be text or json, not " + value);
        };
    }
}
