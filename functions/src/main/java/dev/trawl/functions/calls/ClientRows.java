package dev.trawl.functions.calls;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.clickhouse.client.api.Client;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import com.clickhouse.client.api.query.QueryResponse;
import com.clickhouse.client.api.query.QuerySettings;
import com.clickhouse.data.ClickHouseFormat;

import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** {@link ClickHouseRows} over the ClickHouse HTTP interface with client-v2 (parameters travel as {@code param_<name>}). */
public final class ClientRows implements ClickHouseRows {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    // trawl_calls_query_seconds: ClickHouse's answer to a calls query, read to its end (a histogram,
    // for the dashboard's p50/p99); Micrometer's global registry, which the app's registry joins
    static final Timer QUERY = Timer.builder("trawl.calls.query").description("a calls query in ClickHouse, its rows read")
            .publishPercentileHistogram().register(Metrics.globalRegistry);

    private final Client client;
    private final long timeoutSeconds;

    public ClientRows(Client client, long timeoutSeconds) {
        this.client = client;
        this.timeoutSeconds = timeoutSeconds;
    }

    @Override
    public List<JsonNode> select(String sql, Map<String, String> params) {
        QuerySettings settings = new QuerySettings().setFormat(ClickHouseFormat.JSONEachRow);
        Map<String, Object> values = new LinkedHashMap<>();
        params.forEach((name, value) -> values.put(name, escaped(value)));
        long started = System.nanoTime();
        try (QueryResponse response = client.query(sql, values, settings).get(timeoutSeconds, TimeUnit.SECONDS);
                InputStream in = response.getInputStream()) {
            return readRows(in);
        } catch (ExecutionException e) {
            throw new QueryFailedException(e.getCause() == null ? e : e.getCause());
        } catch (TimeoutException e) {
            throw new QueryFailedException(new IllegalStateException("ClickHouse did not answer within " + timeoutSeconds + " s"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryFailedException(e);
        } catch (QueryFailedException e) {
            throw e;
        } catch (Exception e) {
            throw new QueryFailedException(e);
        } finally {
            QUERY.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * A value as ClickHouse reads a {@code param_<name>}: in its escaped text format, where a
     * backslash starts an escape and a tab or newline ends the value. client-v2 sends the text
     * as it is, so a filter's {@code "C:\\temp"} would fail the query and {@code "a\\nb"} would
     * match a newline.
     */
    static String escaped(String value) {
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    /** Rows of a JSONEachRow body (one object per line). */
    public static List<JsonNode> readRows(InputStream in) {
        List<JsonNode> rows = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(in); MappingIterator<JsonNode> it = JSON.readValues(parser, JsonNode.class)) {
            while (it.hasNext()) {
                rows.add(it.next());
            }
        }
        return rows;
    }

    /** ClickHouse refused or failed a query; the message is ClickHouse's. */
    public static final class QueryFailedException extends RuntimeException {
        public QueryFailedException(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }
}
