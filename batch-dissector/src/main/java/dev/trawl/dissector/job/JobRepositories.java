package dev.trawl.dissector.job;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.repository.support.JdbcJobRepositoryFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

/**
 * The job repository: Spring Batch's JDBC repository, on {@code TRAWL_JOB_REPOSITORY_URL}
 * ({@code _USER}, {@code _PASSWORD}). Locally an embedded H2 file under the data directory (what
 * {@code ./trawl up} sets); in a cluster a PostgreSQL every dissector pod reaches. Without a URL,
 * an in-memory H2: restarts resume within the process only. Spring Batch's own schema is created
 * when its tables are missing.
 */
public final class JobRepositories {
    private static final Logger log = LoggerFactory.getLogger(JobRepositories.class);
    public static final String URL = "TRAWL_JOB_REPOSITORY_URL";
    static final String IN_MEMORY = "jdbc:h2:mem:trawl-jobs;DB_CLOSE_DELAY=-1";

    private JobRepositories() {}

    public static DataSource dataSource(Function<String, String> settings) {
        String url = settings.apply(URL);
        String user = settings.apply("TRAWL_JOB_REPOSITORY_USER");
        String password = settings.apply("TRAWL_JOB_REPOSITORY_PASSWORD");
        if (url == null || url.isBlank()) {
            log.info("no {}: the job repository is in memory, a restart of this process starts dissections over", URL);
            url = IN_MEMORY;
        }
        if (url.startsWith("jdbc:h2:")) return JdbcConnectionPool.create(url, user == null ? "" : user, password == null ? "" : password);
        return new DriverManagerDataSource(url, user, password);
    }

    public static JobRepository create(DataSource dataSource) {
        createSchemaIfMissing(dataSource);
        try {
            var factory = new JdbcJobRepositoryFactoryBean();
            factory.setDataSource(dataSource);
            factory.setTransactionManager(new JdbcTransactionManager(dataSource));
            factory.afterPropertiesSet();
            return factory.getObject();
        } catch (Exception e) {
            throw new IllegalStateException("job repository: " + e.getMessage(), e);
        }
    }

    private static void createSchemaIfMissing(DataSource dataSource) {
        String product;
        try (Connection c = dataSource.getConnection()) {
            product = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
            try (var tables = c.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
                while (tables.next()) {
                    if (tables.getString("TABLE_NAME").equalsIgnoreCase("BATCH_JOB_INSTANCE")) return;
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("job repository unreachable: " + e.getMessage(), e);
        }
        String script = product.contains("postgres") ? "schema-postgresql.sql" : "schema-h2.sql";
        var populator = new ResourceDatabasePopulator(new ClassPathResource("org/springframework/batch/core/" + script));
        // two pods creating it at once: the loser's CREATE fails on what the winner made
        populator.setContinueOnError(true);
        populator.execute(dataSource);
    }
}
