package dev.trawl.functions.calls.kfl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile filters: whatever a KFL string holds, the SQL that comes out is built only from the
 * compiler's own fragments; the attacker's text is either a parameter value or a compile error.
 */
class KflInjectionTest {

    /** Everything the compiler may write outside a parameter: its own fragments, nothing a user typed. */
    private static final Set<String> ALLOWED = vocabulary();

    @ParameterizedTest
    @ValueSource(strings = {
            "dst.svc == \"x' OR 1=1 --\"",
            "dst.svc == \"a'); DROP TABLE calls; --\"",
            "dst.svc == 'a\\' OR \\'1\\'=\\'1'",
            "path == \"{kfl_1:String}\" || path == \"{p:Identifier}\"",
            "request.headers[\"x') OR 1=1 OR lower('\"] == \"v\"",
            "request.headers.x == \"\\u0027 OR 1=1\"",
            "\"' OR 1=1 --\" in dns_questions",
            "method in [\"GET\", \"x') UNION SELECT * FROM system.users --\"]",
            "url.matches(\"') OR 1=1 --\")",
            "path == r\"^/(a|b)' OR '1'='1\"",
            "map_get(fields, \"grpc_status') OR ('1\", \"'; SELECT 1\") == \"0\"",
            "timestamp > now() - duration(\"5m\")",
            "size(path) > 10 /* comment */",
            "summary.contains(\"\\\\'\\\\\")",
            "status == \"500\" && host.endsWith(\"`system`.`tables`\")",
            "dst.svc == \"\\u0000\\n\\r SETTINGS readonly=0\"",
    })
    void valuesOnlyReachSqlAsParameters(String kfl) {
        SqlFilter f;
        try {
            f = Kfl.compile(kfl);
        } catch (KflException e) {
            return; // refused: also safe
        }
        for (String word : words(f.where())) {
            assertThat(ALLOWED).as("'%s' in %s", word, f.where()).contains(word);
        }
        // quotes only around the compiler's own constants
        for (String quoted : quotedStrings(f.where())) {
            assertThat(quoted).as(f.where()).matches("[a-z0-9_ ,]*|UTC|grpc_status|.*kafka_client_id.*");
        }
        assertThat(f.where()).doesNotContain(";").doesNotContain("--").doesNotContain("/*").doesNotContain("`");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "dst_service; DROP TABLE calls",
            "calls.dataset == \"x\"",
            "system.users",
            "1 == 1) OR (1 == 1",
            "`id` == \"x\"",
            "id == \"x\" SETTINGS max_threads=1",
            "dst.svc == \"a\" --",
            "dst.svc == \"a\" ; drop",
            "sleep(3) == 0",
            "dictGet(\"d\", \"a\", 1) == 1",
            "fields['a'] == 'b' OR 1",
            "request.headers[\"a\"].x",
            "path.startsWith(status_text, \"x\")",
    })
    void namesOutsideTheWhitelistAreRefused(String kfl) {
        try {
            SqlFilter f = Kfl.compile(kfl);
            for (String word : words(f.where())) {
                assertThat(ALLOWED).as("'%s' in %s", word, f.where()).contains(word);
            }
        } catch (KflException expected) {
            assertThat(expected.position()).isBetween(0, kfl.length());
        }
    }

    /** Identifier-like words of the SQL, skipping quoted constants and {parameter:Type} placeholders. */
    static List<String> words(String sql) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (c == '\'') {
                i = sql.indexOf('\'', i + 1) + 1;
            } else if (c == '{') {
                int end = sql.indexOf('}', i);
                String p = sql.substring(i + 1, end);
                assertThat(p).matches("kfl_[0-9]+:(String|Int64|Float64)");
                i = end + 1;
            } else if (Character.isLetter(c) || c == '_') {
                int s = i;
                while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                    i++;
                }
                out.add(sql.substring(s, i));
            } else {
                i++;
            }
        }
        return out;
    }

    static List<String> quotedStrings(String sql) {
        List<String> out = new ArrayList<>();
        int i = sql.indexOf('\'');
        while (i >= 0) {
            int end = sql.indexOf('\'', i + 1);
            out.add(sql.substring(i + 1, end));
            i = sql.indexOf('\'', end + 1);
        }
        return out;
    }

    private static Set<String> vocabulary() {
        Set<String> v = new HashSet<>(Set.of(
                "AND", "OR", "NOT", "IN", "true", "false", "if", "has", "hasAny", "match", "toString", "startsWith", "endsWith",
                "position", "lower", "k", "v", "x", "arrayExists", "arrayStringConcat", "mapValues", "mapFilter", "mapKeys",
                "mapContains", "notEmpty", "length", "lengthUTF8", "fromUnixTimestamp64Micro", "toIntervalMicrosecond",
                "dateDiff", "intDivOrZero", "moduloOrZero", "toStartOfHour", "protocol", "method", "path", "concat", "arrayElement", "toInt64OrZero", "toInt64", "toUnixTimestamp"));
        for (String name : Fields.names()) {
            v.addAll(words(Fields.find(name).sql()));
        }
        return v;
    }
}
