package dev.trawl.core.clickhouse;

import com.clickhouse.client.api.Client;
import com.clickhouse.client.api.query.GenericRecord;
import java.util.List;
import java.util.function.Function;

/**
 * The read-only {@code analyst} login of docs/analysts.md: a role that may SELECT from trawl's
 * database (the {@code calls} table and the V2 views) and a user with {@code readonly = 1} holding
 * it. Apply after {@link ClickHouseSchema#migrate}; the password comes from
 * {@code TRAWL_CLICKHOUSE_ANALYST_PASSWORD} and re-applying sets it again (rotation).
 *
 * <p>A server without SQL-managed users (chDB, the embedded engine, has only its built-in user)
 * refuses; {@link #ensure} then answers why instead of failing, and the embedded HTTP front is
 * what makes the {@code analyst} login read-only there.
 */
public final class ClickHouseAnalyst {

    public static final String USER = "analyst";
    public static final String ROLE = "trawl_analyst";
    public static final String PASSWORD_VARIABLE = "TRAWL_CLICKHOUSE_ANALYST_PASSWORD";

    private ClickHouseAnalyst() {
    }

    /** What {@link #ensure} did: applied, or why not. */
    public record Outcome(boolean applied, String reason) {}

    /** The statements, in order, for {@code database} (an identifier) and {@code password}. */
    public static List<String> statements(String database, String password) {
        if (!database.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("database name '" + database + "' is not a plain identifier");
        }
        String secret = "'" + password.replace("\\", "\\\\").replace("'", "\\'") + "'";
        return List.of(
                "CREATE ROLE IF NOT EXISTS " + ROLE,
                "GRANT SELECT ON `" + database + "`.* TO " + ROLE,
                "CREATE USER IF NOT EXISTS " + USER + " IDENTIFIED WITH sha256_password BY " + secret
                        + " DEFAULT ROLE " + ROLE + " SETTINGS readonly = 1",
                "ALTER USER " + USER + " IDENTIFIED WITH sha256_password BY " + secret + " SETTINGS readonly = 1",
                "GRANT " + ROLE + " TO " + USER,
                "ALTER USER " + USER + " DEFAULT ROLE " + ROLE);
    }

    /** Creates or updates the analyst login; without a password, or on a server that cannot, says why. */
    public static Outcome ensure(Client client, Function<String, String> env) {
        String password = env.apply(PASSWORD_VARIABLE);
        if (password == null || password.isBlank()) {
            return new Outcome(false, PASSWORD_VARIABLE + " is not set: no analyst login created");
        }
        String database;
        List<GenericRecord> rows = client.queryAll("SELECT currentDatabase()");
        database = rows.getFirst().getString(1);
        for (String statement : statements(database, password)) {
            try {
                ClickHouseSchema.execute(client, statement);
            } catch (IllegalStateException e) {
                String message = String.valueOf(e.getMessage());
                if (message.contains("ACCESS_DENIED") || message.contains("Code: 497") || message.contains("access storage")) {
                    return new Outcome(false, "this ClickHouse does not manage users through SQL: " + message.replace(password, "***"));
                }
                throw new IllegalStateException(message.replace(password, "***"));
            }
        }
        return new Outcome(true, "user " + USER + " (role " + ROLE + ", readonly) can read " + database);
    }
}
