package dev.trawl.embedded.clickhouse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a statement on the embedded ClickHouse may reach: the engine's own tables and nothing
 * beyond them, for every user. chDB is clickhouse-local, which lets {@code file()} read any path
 * and {@code url()}, {@code s3()}, {@code remote()} reach any host (a server confines them to
 * {@code user_files} and grants; local mode has neither), so the front refuses such statements
 * before the engine sees them.
 *
 * <p>The decision is taken on ClickHouse's own parse of the statement ({@code EXPLAIN AST} on the
 * connection that will run it, with the same settings and parameters), never on a pattern over
 * the text: case, comments, quoting, nesting in subqueries, {@code WITH} and {@code EXPLAIN} all
 * arrive as the same tree. Table functions and table or database engines are allowed by name from
 * a short list of those that read only what the engine holds or computes; every other one the
 * engine knows is refused, so one added in a later chDB is refused too.
 */
final class QuerySandbox {
    static final int ACCESS_DENIED = 497;

    /** Table functions and engines (lower case) that read only the engine's own data or compute rows. */
    private static final Set<String> CONFINED = Set.of(
            "numbers", "numbers_mt", "zeros", "zeros_mt", "generaterandom", "generateseries", "generate_series", "primes",
            "values", "null", "view", "viewifpermitted", "viewexplain", "merge", "format", "input", "loop", "dictionary",
            "memory", "log", "tinylog", "stripelog", "set", "join", "buffer", "materializedview", "alias", "atomic",
            "mergetree", "replacingmergetree", "summingmergetree", "aggregatingmergetree", "collapsingmergetree",
            "versionedcollapsingmergetree", "coalescingmergetree", "graphitemergetree");

    /** Ordinary functions that read a file the name of which is an argument. */
    private static final Set<String> FILE_READING_FUNCTIONS = Set.of("file", "catboostevaluate");

    /**
     * Settings that make the engine read or write a path or parse in another language: a dynamic
     * {@code disk(...)} under a table, schema and template files of formats, the SQL dialect (which
     * would make the parse checked here differ from the one that runs).
     */
    private static final List<String> REFUSED_SETTING_PREFIXES = List.of(
            "disk", "dialect", "format_schema", "format_template", "output_format_schema");

    /** Tree nodes that are refused whatever they name: backups, attaching from paths, dictionary sources. */
    private static final Set<String> REFUSED_NODES = Set.of("BackupQuery", "RestoreQuery", "AttachQuery", "Dictionary definition");

    /** Query nodes whose direct {@code Literal} child is a file: {@code INTO OUTFILE}, {@code FROM INFILE}. */
    private static final Set<String> FILE_CLAUSE_PARENTS = Set.of("SelectWithUnionQuery", "SelectIntersectExceptQuery", "InsertQuery");

    private final Set<String> reaching;

    private QuerySandbox(Set<String> reaching) {
        this.reaching = reaching;
    }

    /** The names this engine knows, less those confined to it. */
    static QuerySandbox of(ChdbConnection c) {
        Set<String> names = new HashSet<>(FILE_READING_FUNCTIONS);
        String all = c.query("SELECT name FROM system.table_functions UNION ALL SELECT name FROM system.table_engines"
                + " UNION ALL SELECT name FROM system.database_engines", "TabSeparatedRaw", Map.of()).text();
        for (String name : all.split("\n")) {
            String n = name.strip().toLowerCase(Locale.ROOT);
            if (!n.isEmpty() && !CONFINED.contains(n)) names.add(n);
        }
        return new QuerySandbox(Set.copyOf(names));
    }

    /** Refuses (ACCESS_DENIED) a setting this sandbox does not let a request change. */
    static void checkSetting(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (String prefix : REFUSED_SETTING_PREFIXES) {
            if (n.startsWith(prefix)) {
                throw new ChdbException(ACCESS_DENIED, "Setting " + name + " is not allowed on trawl's embedded ClickHouse: it reaches files or changes the SQL dialect");
            }
        }
    }

    /**
     * Refuses (ACCESS_DENIED) a statement that reaches files, URLs or other hosts; {@code c} holds
     * the request's settings, {@code params} its query parameters (the parse needs both).
     */
    void check(ChdbConnection c, String sql, Map<String, String> params) {
        for (String assigned : Sql.namesFollowedBy(sql, '=')) checkSetting(assigned);
        String tree = c.query("EXPLAIN AST " + sql, "TabSeparated", params).text();
        List<String> parents = new ArrayList<>();
        for (String line : tree.split("\n")) {
            if (line.isBlank()) continue;
            int depth = 0;
            while (depth < line.length() && line.charAt(depth) == ' ') depth++;
            String node = line.substring(depth);
            int children = node.indexOf(" (children ");
            if (children >= 0) node = node.substring(0, children);
            node = node.strip();
            while (parents.size() > depth) parents.removeLast();
            String parent = parents.isEmpty() ? "" : parents.getLast();
            refuseIfReaching(node, parent);
            while (parents.size() < depth) parents.add("");
            parents.add(node.split(" ", 2)[0]);
        }
    }

    /**
     * Refuses the data of {@code INSERT ... VALUES} that calls a function reaching outside (the
     * Values format evaluates expressions); data is not SQL the parser is asked about, and may be
     * far longer than {@code max_query_size}.
     */
    void checkValues(String data) {
        for (String called : Sql.namesFollowedBy(data, '(')) {
            if (reaching.contains(called.toLowerCase(Locale.ROOT))) throw denied(called + " reaches files, URLs or other hosts");
        }
    }

    private void refuseIfReaching(String node, String parent) {
        if (REFUSED_NODES.contains(node) || REFUSED_NODES.contains(node.split(" ", 2)[0])) {
            throw denied(node.split(" ", 2)[0] + " reaches outside the engine");
        }
        if (node.startsWith("Function ") || node.startsWith("FunctionWithKeyValueArguments ")) {
            String name = node.split(" +")[1]; // then perhaps "(alias b)"
            if (reaching.contains(name.toLowerCase(Locale.ROOT))) {
                throw denied(name + " reaches files, URLs or other hosts");
            }
        }
        if (node.startsWith("Literal ") && FILE_CLAUSE_PARENTS.contains(parent)) {
            throw denied("INTO OUTFILE and FROM INFILE read or write files of this machine");
        }
    }

    private static ChdbException denied(String why) {
        return new ChdbException(ACCESS_DENIED, "Not allowed on trawl's embedded ClickHouse: " + why
                + " (only the engine's own tables may be read or written)");
    }
}
