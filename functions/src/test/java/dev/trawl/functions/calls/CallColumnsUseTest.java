package dev.trawl.functions.calls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.clickhouse.CallColumns;
import org.junit.jupiter.api.Test;

/** The calls endpoint's projections read columns of {@link CallColumns} only. */
class CallColumnsUseTest {

    @Test
    void theProjectionsReadCallColumns() {
        assertThat(ColumnReferences.of(CallsService.COMPACT)).isNotEmpty().allMatch(CallColumns.NAMES::contains);
        assertThat(ColumnReferences.of(CallsService.FULL)).containsAll(ColumnReferences.of(CallsService.COMPACT))
                .contains("request_headers", "request_body").allMatch(CallColumns.NAMES::contains);
    }

    @Test
    void aNameThatIsNoColumnIsFound() {
        assertThat(ColumnReferences.of("id, toUnixTimestamp64Milli(ts) AS ts_ms, fields['x'], lengthUTF8(body) > {n:UInt32}"))
                .containsExactlyInAnyOrder("id", "ts", "fields", "body");
    }
}
