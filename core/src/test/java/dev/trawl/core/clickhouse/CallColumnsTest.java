package dev.trawl.core.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The schema's migrations, read as ClickHouse would apply them, declare exactly {@link CallColumns#ALL}. */
class CallColumnsTest {
    private static final Pattern CREATE = Pattern.compile("CREATE TABLE IF NOT EXISTS calls\\s*\\((.*?)\\n\\)\\s*\\nENGINE", Pattern.DOTALL);
    private static final Pattern ADD = Pattern.compile("ALTER TABLE calls\\s+ADD COLUMN (?:IF NOT EXISTS )?(\\w+)\\s+([^,;]+?)(?:\\s+(?:DEFAULT|AFTER|FIRST)\\b[^,;]*)?[,;]");

    @Test
    void theMigrationsDeclareTheCallColumnsInTheirOrder() {
        List<CallColumns.Column> declared = new ArrayList<>();
        for (String migration : migrations()) {
            Matcher create = CREATE.matcher(migration);
            if (create.find()) {
                for (String line : create.group(1).split("\n")) {
                    String column = line.replaceAll("--.*", "").strip();
                    if (column.isEmpty() || column.startsWith("INDEX ")) continue;
                    column = column.replaceAll(",$", "").replaceAll("\\s+DEFAULT\\s.*", "");
                    int space = column.indexOf(' ');
                    declared.add(new CallColumns.Column(column.substring(0, space), column.substring(space).strip()));
                }
            }
            Matcher add = ADD.matcher(migration.replaceAll("--[^\n]*", ""));
            while (add.find()) declared.add(new CallColumns.Column(add.group(1), add.group(2).strip()));
        }
        assertThat(declared).containsExactlyElementsOf(CallColumns.ALL);
        assertThat(CallColumns.WRITTEN).hasSize(CallColumns.ALL.size() - 1).doesNotContain(CallColumns.INSERTED_AT);
    }

    private static List<String> migrations() {
        return ClickHouseSchema.migrations().stream().map(ClickHouseSchema.Migration::sql).toList();
    }
}
