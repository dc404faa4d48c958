package dev.trawl.functions.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.clickhouse.client.api.Client;

import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.embedded.clickhouse.ClickHouseHttpFront;
import dev.trawl.embedded.clickhouse.EmbeddedClickHouse;
import dev.trawl.functions.calls.kfl.Kfl;

/**
 * docs/analysts.md stays true: every SQL block on it runs on trawl's schema (the V1 table and
 * the V2 views) and answers with at least one row on an incident's calls; every KFL in its
 * side-by-side table compiles.
 */
class AnalystDocsTest {

    static final String DATASET = "incident-2024-02-01/full-dissection";

    static Client analyst;

    @BeforeAll
    static void incident() {
        EmbeddedClickHouse ch = TestClickHouse.start();
        ch.front().addUser(new ClickHouseHttpFront.User("analyst", "analyst-secret", true));
        analyst = new ClickHouseSettings(ch.uri(), "analyst", "analyst-secret", null).client();
        TestClickHouse.loadSample(DATASET);
        TestClickHouse.chdb().query("""
                INSERT INTO calls (dataset, id, ts, node, protocol, transport, src_pod, src_namespace, src_service, dst_ip, dst_port,
                  dst_pod, dst_namespace, dst_service, method, path, status, status_text, answered, latency_us, request_size, response_size,
                  dns_questions, fields)
                VALUES
                ('incident-2024-02-01/full-dissection', 'd2', '2026-03-14 21:59:05', 'n1', 'dns', 'udp', 'payment-7', 'shop', 'payment',
                 '10.96.0.10', 53, 'coredns-1', 'kube-system', 'kube-dns', 'A', 'db.shop.svc.cluster.local', 3, '', 1, 700, 40, 40,
                 ['db.shop.svc.cluster.local'], {}),
                ('incident-2024-02-01/full-dissection', 'p1', '2026-03-14 21:59:06', 'n1', 'postgresql', 'tcp', 'payment-7', 'shop', 'payment',
                 '10.0.0.4', 5432, 'db-0', 'shop', 'db', 'SELECT', 'SELECT * FROM cards WHERE id = $1', 53300, 'too many connections',
                 1, 30000, 90, 70, [], {'pg_sqlstate':'53300'})
                """);
    }

    @AfterAll
    static void logout() {
        analyst.close();
    }

    @Test
    void theAnalystCannotWrite() {
        for (String write : List.of("INSERT INTO calls (dataset, id) VALUES ('x', 'y')", "DROP TABLE http_calls",
                "ALTER TABLE calls DELETE WHERE 1")) {
            Throwable refused = catchThrowable(() -> analyst.queryAll(write));
            assertThat(messages(refused)).as(write).containsIgnoringCase("readonly");
        }
        assertThat(analyst.queryAll("SELECT count() FROM http_calls WHERE dataset = '" + DATASET + "'").getFirst().getLong(1)).isEqualTo(3);
    }

    private static String messages(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }

    static Path docs() {
        Path fromModule = Path.of("..", "docs", "analysts.md");
        return Files.exists(fromModule) ? fromModule : Path.of("docs", "analysts.md");
    }

    static List<String> sqlBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        int at = 0;
        while ((at = markdown.indexOf("```sql\n", at)) >= 0) {
            int end = markdown.indexOf("\n```", at + 7);
            blocks.add(markdown.substring(at + 7, end).strip());
            at = end + 4;
        }
        return blocks;
    }

    @TestFactory
    Stream<DynamicTest> everySqlExampleRunsAndAnswers() throws IOException {
        String markdown = Files.readString(docs());
        List<String> blocks = sqlBlocks(markdown);
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(12);
        return blocks.stream().map(sql -> DynamicTest.dynamicTest(sql.lines().findFirst().orElse(sql), () -> {
            assertThat(sql).as("examples name the seed's incident").contains(DATASET);
            // as the analyst logs in: read-only, over HTTP
            assertThat(analyst.queryAll(sql)).as(sql).isNotEmpty();
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyKflInTheSideBySideTableCompiles() throws IOException {
        String markdown = Files.readString(docs());
        String table = markdown.substring(markdown.indexOf("## KFL and SQL side by side"), markdown.indexOf("## Performance notes"));
        List<String> kfls = new ArrayList<>();
        for (String line : table.lines().toList()) {
            if (!line.startsWith("| `")) {
                continue;
            }
            String cell = line.substring(1, line.indexOf(" | "));
            for (String part : cell.split(" / ")) {
                String p = part.strip();
                kfls.add(p.substring(1, p.length() - 1));
            }
        }
        assertThat(kfls).hasSizeGreaterThanOrEqualTo(9);
        return kfls.stream().map(k -> DynamicTest.dynamicTest(k, () -> assertThat(Kfl.compile(k).where()).isNotBlank()));
    }
}
