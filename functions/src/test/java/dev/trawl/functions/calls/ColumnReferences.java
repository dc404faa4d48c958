package dev.trawl.functions.calls;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The columns an SQL expression of trawl's reads: its bare names, without literals, parameters, aliases, functions or lambda arguments. */
public final class ColumnReferences {
    private static final Pattern LITERAL = Pattern.compile("'(?:[^'\\\\]|\\\\.)*'");
    private static final Pattern PARAMETER = Pattern.compile("\\{\\w+:[^}]*}");
    private static final Pattern ALIAS = Pattern.compile("(?i)\\bAS\\s+\\w+");
    private static final Pattern LAMBDA = Pattern.compile("\\(?\\s*(\\w+(?:\\s*,\\s*\\w+)*)\\s*\\)?\\s*->");
    private static final Pattern NAME = Pattern.compile("\\b([A-Za-z_]\\w*)\\b(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of("in", "and", "or", "not", "is", "null", "like", "ilike", "true", "false");

    private ColumnReferences() {}

    public static Set<String> of(String sql) {
        String bare = ALIAS.matcher(PARAMETER.matcher(LITERAL.matcher(sql).replaceAll("''")).replaceAll("0")).replaceAll("");
        Set<String> lambdaArguments = new TreeSet<>();
        Matcher lambda = LAMBDA.matcher(bare);
        while (lambda.find()) {
            for (String argument : lambda.group(1).split(",")) lambdaArguments.add(argument.strip());
        }
        Set<String> names = new TreeSet<>();
        Matcher name = NAME.matcher(bare);
        while (name.find()) {
            String n = name.group(1);
            if (!KEYWORDS.contains(n.toLowerCase()) && !lambdaArguments.contains(n)) names.add(n);
        }
        return names;
    }
}
