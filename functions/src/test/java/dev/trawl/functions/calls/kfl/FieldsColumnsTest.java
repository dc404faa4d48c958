package dev.trawl.functions.calls.kfl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.clickhouse.CallColumns;
import dev.trawl.functions.calls.ColumnReferences;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** KFL's fields read columns of {@link CallColumns}, and every column a filter could want has a field. */
class FieldsColumnsTest {

    @Test
    void everyFieldReadsCallColumnsAndEveryColumnIsFilterable() {
        Set<String> read = new TreeSet<>();
        for (String name : Fields.names()) {
            Set<String> columns = ColumnReferences.of(Fields.find(name).sql());
            assertThat(columns).as(name).isNotEmpty().allMatch(CallColumns.NAMES::contains);
            read.addAll(columns);
        }
        Set<String> filterable = new TreeSet<>(CallColumns.NAMES);
        // the dataset is the db parameter's, never a filter's; inserted_at is ClickHouse's bookkeeping
        filterable.removeAll(Set.of("dataset", CallColumns.INSERTED_AT));
        assertThat(read).containsExactlyInAnyOrderElementsOf(filterable);
    }
}
