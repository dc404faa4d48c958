package dev.trawl.core.clickhouse;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The columns of the {@code calls} table, in the table's order: the one list that the schema
 * (V1__calls.sql and later migrations), the batch's RowBinary writer, the calls endpoint's
 * projections and KFL's fields are derived from or checked against by tests.
 */
public final class CallColumns {
    private CallColumns() {}

    /** A column: its name and ClickHouse type as the schema declares it. */
    public record Column(String name, String type) {}

    /** Set by ClickHouse on insert ({@code DEFAULT now64(3)}): never written by a loader. */
    public static final String INSERTED_AT = "inserted_at";

    public static final List<Column> ALL = List.of(
            new Column("dataset", "LowCardinality(String)"),
            new Column("id", "String"),
            new Column("ts", "DateTime64(6, 'UTC')"),
            new Column("node", "LowCardinality(String)"),
            new Column("protocol", "LowCardinality(String)"),
            new Column("transport", "LowCardinality(String)"),
            new Column("src_ip", "LowCardinality(String)"),
            new Column("src_port", "UInt16"),
            new Column("src_pod", "LowCardinality(String)"),
            new Column("src_namespace", "LowCardinality(String)"),
            new Column("src_service", "LowCardinality(String)"),
            new Column("dst_ip", "LowCardinality(String)"),
            new Column("dst_port", "UInt16"),
            new Column("dst_pod", "LowCardinality(String)"),
            new Column("dst_namespace", "LowCardinality(String)"),
            new Column("dst_service", "LowCardinality(String)"),
            new Column("method", "LowCardinality(String)"),
            new Column("path", "String"),
            new Column("host", "String"),
            new Column("status", "Int32"),
            new Column("status_text", "String"),
            new Column("answered", "UInt8"),
            new Column("latency_us", "UInt64"),
            new Column("request_size", "UInt64"),
            new Column("response_size", "UInt64"),
            new Column("request_headers", "Map(String, String)"),
            new Column("response_headers", "Map(String, String)"),
            new Column("request_body", "String"),
            new Column("response_body", "String"),
            new Column("fields", "Map(LowCardinality(String), String)"),
            new Column("dns_questions", "Array(String)"),
            new Column("dns_answers", "Array(String)"),
            new Column("summary", "String"),
            new Column("source", "String"),
            new Column(INSERTED_AT, "DateTime64(3, 'UTC')"));

    /** The columns a loader writes, in order: all but {@link #INSERTED_AT}. */
    public static final List<String> WRITTEN = ALL.stream().map(Column::name).filter(n -> !n.equals(INSERTED_AT)).toList();

    public static final Set<String> NAMES = ALL.stream().map(Column::name).collect(Collectors.toUnmodifiableSet());
}
