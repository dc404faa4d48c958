package dev.trawl.functions.calls.kfl;

import java.util.Map;

/**
 * A compiled KFL filter: a ClickHouse boolean expression over the {@code calls} table whose every
 * value is a server-side parameter ({@code {kfl_1:String}}), and those parameters' values
 * (sent as {@code param_kfl_1=...}).
 */
public record SqlFilter(String where, Map<String, String> params) {

    public SqlFilter {
        params = Map.copyOf(params);
    }
}
