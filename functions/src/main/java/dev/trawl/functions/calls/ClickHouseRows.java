package dev.trawl.functions.calls;

import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * Runs one SELECT with server-side parameters and hands back its rows as JSON objects
 * (ClickHouse's JSONEachRow). The only way the calls endpoints reach ClickHouse.
 */
@FunctionalInterface
public interface ClickHouseRows {

    List<JsonNode> select(String sql, Map<String, String> params);
}
