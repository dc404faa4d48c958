package dev.trawl.functions.calls.kfl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class KflTest {

    private static final Instant NOW = Instant.parse("2026-03-14T22:00:00Z");

    private static SqlFilter kfl(String s) {
        return Kfl.compile(s, NOW);
    }

    @Test
    void seedFormHttpErrors() {
        SqlFilter f = kfl("http and status >= 400");
        assertThat(f.where()).isEqualTo("(protocol IN ('http', 'http2', 'grpc') AND (status >= {kfl_1:Int64}))");
        assertThat(f.params()).isEqualTo(Map.of("kfl_1", "400"));
    }

    @Test
    void seedFormServiceAndRequestSelectors() {
        assertThat(kfl("dst.svc == \"payment\"").where()).isEqualTo("(dst_service = {kfl_1:String})");
        SqlFilter f = kfl("request.path == \"/x\" and response.status == 500");
        assertThat(f.where()).contains("cutQueryString(path)").contains("(status = {kfl_2:Int64})");
        assertThat(f.params()).containsEntry("kfl_1", "/x").containsEntry("kfl_2", "500");
    }

    @Test
    void kfl2FormIsTheSameQueryAsTheSeedForm() {
        assertThat(kfl("http && dst.service.name == \"payment\" && status_code >= 500").where())
                .isEqualTo(kfl("http and dst.svc == \"payment\" and response.status >= 500").where());
    }

    @Test
    void notAndBangAndParentheses() {
        assertThat(kfl("not (dns or redis)").where()).isEqualTo("(NOT (protocol = 'dns' OR protocol = 'redis'))");
        assertThat(kfl("!dns").where()).isEqualTo("(NOT protocol = 'dns')");
        // && binds tighter than ||
        assertThat(kfl("dns || redis && kafka").where()).isEqualTo("(protocol = 'dns' OR (protocol = 'redis' AND protocol = 'kafka'))");
    }

    @Test
    void regexLiteralMatchesNumbersAsText() {
        SqlFilter f = kfl("http and response.status == r\"4.*\"");
        assertThat(f.where()).contains("match(toString(status), {kfl_1:String})");
        assertThat(f.params()).containsEntry("kfl_1", "4.*");
        assertThat(kfl("path != r\"^/health\\d\"").params()).containsEntry("kfl_1", "^/health\\d");
    }

    @Test
    void stringMethodsBothForms() {
        assertThat(kfl("path.startsWith(\"/api\")").where()).isEqualTo("startsWith(cutQueryString(path), {kfl_1:String})");
        assertThat(kfl("request.path.endsWith(\".js\")").where()).contains("endsWith(");
        assertThat(kfl("url.contains(\"token\")").where()).isEqualTo("(position(path, {kfl_1:String}) > 0)");
        assertThat(kfl("url.matches(\"^/v[0-9]+/\")").where()).isEqualTo("match(path, {kfl_1:String})");
        assertThat(kfl("startsWith(dst.pod.name, \"api-\")").where()).isEqualTo("startsWith(dst_pod, {kfl_1:String})");
    }

    @Test
    void inListsMapsAndLiterals() {
        assertThat(kfl("dns && \"google.com\" in dns_questions").where())
                .isEqualTo("(protocol = 'dns' AND has(dns_questions, {kfl_1:String}))");
        assertThat(kfl("method in [\"GET\", \"HEAD\"]").where()).isEqualTo("(method IN ({kfl_1:String}, {kfl_2:String}))");
        assertThat(kfl("\"authorization\" in request.headers").where())
                .isEqualTo("arrayExists(k -> lower(k) = lower({kfl_1:String}), mapKeys(request_headers))");
        assertThat(kfl("namespaces in [\"prod\"]").where()).isEqualTo("hasAny([src_namespace, dst_namespace], [{kfl_1:String}])");
    }

    @Test
    void headerMapsIndexAndMapGet() {
        SqlFilter f = kfl("request.headers[\"X-Trace\"] == \"abc\"");
        assertThat(f.where()).contains("mapFilter((k, v) -> lower(k) = lower({kfl_1:String}), request_headers)");
        assertThat(f.params()).containsEntry("kfl_1", "X-Trace").containsEntry("kfl_2", "abc");
        assertThat(kfl("map_get(response.headers, \"content-type\", \"\") == \"application/json\"").where())
                .startsWith("(if(arrayExists(");
        assertThat(kfl("request.headers.host == \"a\"").params()).containsEntry("kfl_1", "host");
        assertThat(kfl("size(request.headers) > 3").where()).isEqualTo("(length(mapKeys(request_headers)) > {kfl_1:Int64})");
    }

    @Test
    void timeFunctionsFoldToOneParameter() {
        SqlFilter f = kfl("timestamp > now() - duration(\"5m\")");
        assertThat(f.where()).isEqualTo("(ts > fromUnixTimestamp64Micro({kfl_1:Int64}, 'UTC')"
                + " AND toStartOfHour(ts) >= toStartOfHour(fromUnixTimestamp64Micro({kfl_1:Int64}, 'UTC')))");
        long expected = (NOW.getEpochSecond() - 300) * 1_000_000L;
        assertThat(f.params()).containsEntry("kfl_1", Long.toString(expected));
        SqlFilter g = kfl("timestamp >= timestamp(\"2026-03-14T21:00:00Z\") && timestamp < timestamp(\"2026-03-14T21:30:00+00:00\")");
        assertThat(g.params()).containsEntry("kfl_1", Long.toString(Instant.parse("2026-03-14T21:00:00Z").getEpochSecond() * 1_000_000L));
        assertThat(kfl("elapsed_time > duration(\"1.5s\")").params()).containsEntry("kfl_1", "1500000");
        assertThat(kfl("http && elapsed_time > 5000000").where()).contains("(latency_us > {kfl_1:Int64})");
    }

    @Test
    void protocolSpecificFields() {
        assertThat(kfl("grpc && grpc_status != 0").where()).contains("toInt32OrZero(fields['grpc_status'])");
        assertThat(kfl("redis && redis_key.startsWith(\"session:\")").where()).contains("if(protocol = 'redis', path, '')");
        assertThat(kfl("kafka_api_key_name == \"PRODUCE\"").where()).isEqualTo("(protocol = 'kafka' AND method = {kfl_1:String})");
        assertThat(kfl("kafka_api_key_name != \"PRODUCE\"").where()).isEqualTo("(if(protocol = 'kafka', method, '') != {kfl_1:String})");
        assertThat(kfl("size(dns_questions) > 0").where()).isEqualTo("(length(dns_questions) > {kfl_1:Int64})");
        assertThatThrownBy(() -> kfl("dns_questions.first == \"x\"")).hasMessageContaining("unknown field 'dns_questions.first'");
    }

    @Test
    void everyProtocolFlagCompiles() {
        for (String p : new String[] {"http", "grpc", "dns", "redis", "kafka", "amqp", "postgresql", "mysql", "mongodb", "ws", "tls", "icmp", "tcp", "udp"}) {
            assertThat(kfl(p).where()).as(p).matches("protocol.*|transport.*");
        }
    }

    @Test
    void protocolNamesCompareInAnyCase() {
        assertThat(kfl("protocol == \"HTTP\"").params()).containsEntry("kfl_1", "http");
    }

    @Test
    void blankMeansEverything() {
        assertThat(Kfl.compile("  ").where()).isEqualTo("1");
        assertThat(Kfl.compile(null).params()).isEmpty();
    }

    @Test
    void badSyntaxSaysWhereAndWhat() {
        assertThatThrownBy(() -> kfl("http and (status >= 400"))
                .isInstanceOf(KflException.class)
                .hasMessage("KFL error at position 23: expected ')' but found end of input");
        assertThatThrownBy(() -> kfl("status = 400"))
                .hasMessageContaining("position 7").hasMessageContaining("expected '=='");
        assertThatThrownBy(() -> kfl("http status"))
                .hasMessageContaining("position 5").hasMessageContaining("expected an operator");
        assertThatThrownBy(() -> kfl("dst.svc == \"payment"))
                .hasMessageContaining("position 11").hasMessageContaining("unterminated string");
        assertThatThrownBy(() -> kfl("http &&"))
                .hasMessageContaining("position 7").hasMessageContaining("expected a field, a value or '('");
        assertThatThrownBy(() -> kfl("1 < status < 3")).hasMessageContaining("do not chain");
        assertThat(((KflException) catchIt(() -> kfl("a.b(,)"))).position()).isEqualTo(4);
    }

    @Test
    void unknownFieldIsNamedWithTheFieldsThatExist() {
        assertThatThrownBy(() -> kfl("http and dst.color == \"red\""))
                .isInstanceOf(KflException.class)
                .hasMessageContaining("position 9")
                .hasMessageContaining("unknown field 'dst.color'")
                .hasMessageContaining("dst.service.name")
                .hasMessageContaining("status_code");
        assertThatThrownBy(() -> kfl("frobnicate(path)")).hasMessageContaining("unknown function 'frobnicate'").hasMessageContaining("startsWith");
    }

    @Test
    void typeMismatchesAreErrors() {
        assertThatThrownBy(() -> kfl("status_code == \"abc\"")).hasMessageContaining("expected a number");
        assertThatThrownBy(() -> kfl("request.headers > 3")).hasMessageContaining("cannot compare");
        assertThatThrownBy(() -> kfl("timestamp > \"yesterday\"")).hasMessageContaining("expected a timestamp");
        assertThatThrownBy(() -> kfl("duration(\"5 parsecs\") > elapsed_time")).hasMessageContaining("expected a duration");
        assertThatThrownBy(() -> kfl("path > r\"x\"")).hasMessageContaining("regex can only be matched");
    }

    @Test
    void deepNestingIsAnErrorThatSaysWhereNotAStackOverflow() {
        for (String deep : List.of(
                "(".repeat(5000) + "http" + ")".repeat(5000),
                "!".repeat(5000) + "http",
                "not ".repeat(5000) + "http",
                "-".repeat(5000) + "status < 0",
                "status" + " + 1".repeat(5000) + " > 0",
                "size(".repeat(5000) + "path" + ")".repeat(5000) + " > 0",
                "dns_questions" + "[0]".repeat(5000) + " == \"a\"",
                "a.".repeat(5000) + "b",
                "[".repeat(5000) + "]".repeat(5000),
                "true ? ".repeat(5000) + "1" + " : 2".repeat(5000) + " > 0")) {
            KflException e = (KflException) catchIt(() -> kfl(deep));
            assertThat(e).as(deep.substring(0, 20)).isNotNull();
            assertThat(e.getMessage()).contains("deeper than " + Parser.MAX_DEPTH);
            assertThat(e.position()).isBetween(1, deep.length());
        }
        // as deep as the limit still compiles
        String nested = "(".repeat(Parser.MAX_DEPTH - 1) + "http" + ")".repeat(Parser.MAX_DEPTH - 1);
        assertThat(kfl(nested).where()).isEqualTo("protocol IN ('http', 'http2', 'grpc')");
    }

    @Test
    void longChainsOfAlternativesCompileFlat() {
        String any = String.join(" || ", java.util.stream.IntStream.range(0, 5000).mapToObj(i -> "status == " + i).toList());
        SqlFilter f = kfl("http && " + any + " && !dns");
        assertThat(f.params()).hasSize(5000);
        int depth = 0;
        int deepest = 0;
        for (char c : f.where().toCharArray()) {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            deepest = Math.max(deepest, depth);
        }
        assertThat(deepest).isLessThanOrEqualTo(4);
        assertThat(kfl("dns || redis || kafka").where()).isEqualTo("(protocol = 'dns' OR protocol = 'redis' OR protocol = 'kafka')");
        assertThat(kfl("http && dst.service.name == \"payment\" && status_code >= 500").where())
                .isEqualTo("(protocol IN ('http', 'http2', 'grpc') AND (dst_service = {kfl_1:String}) AND (status >= {kfl_2:Int64}))");
    }

    @Test
    void divisionByALiteralZeroIsAnErrorAndByAColumnIsZero() {
        assertThatThrownBy(() -> kfl("elapsed_time / 0 > 1")).hasMessageContaining("position 15").hasMessageContaining("divisor other than 0");
        assertThatThrownBy(() -> kfl("status % 0 == 1")).hasMessageContaining("divisor other than 0");
        assertThat(kfl("elapsed_time / status > 1").where()).contains("intDivOrZero(latency_us, status)");
        assertThat(kfl("elapsed_time % status > 1").where()).contains("moduloOrZero(latency_us, status)");
        assertThat(kfl("elapsed_time / 0.0 > 1").where()).contains("(latency_us / {kfl_1:Float64})");
    }

    @Test
    void mapGetTakesAKeyValueNotAnExpression() {
        // the key's SQL is used twice: nested as keys, 30 levels would compile to 2^30 copies
        String nested = "map_get(request.headers, ".repeat(30) + "\"k\"" + ", \"d\")".repeat(30) + " == \"d\"";
        assertThatThrownBy(() -> kfl(nested)).isInstanceOf(KflException.class).hasMessageContaining("expects a key like");
        assertThat(kfl("map_get(request.headers, \"k\", map_get(response.headers, \"k\", \"d\")) == \"d\"").params()).hasSize(4);
    }

    @Test
    void timesBeyondWhatAMicrosecondCountHoldsAreErrors() {
        assertThatThrownBy(() -> kfl("timestamp > timestamp(\"+999999999-12-31T23:59:59Z\")"))
                .isInstanceOf(KflException.class).hasMessageContaining("position 22").hasMessageContaining("within");
        assertThatThrownBy(() -> kfl("timestamp > 9223372036854775807")).isInstanceOf(KflException.class).hasMessageContaining("within");
        assertThatThrownBy(() -> kfl("now() + duration(\"2562047788h\") > timestamp")).isInstanceOf(KflException.class).hasMessageContaining("within");
        assertThatThrownBy(() -> kfl("duration(\"2562047788h\") + duration(\"2562047788h\") > elapsed_time")).isInstanceOf(KflException.class);
        // outside DateTime's 1970 to 2106 the hour bucket would wrap: the bound stays on ts alone
        assertThat(kfl("timestamp > timestamp(\"1950-01-01T00:00:00Z\")").where()).doesNotContain("toStartOfHour");
        assertThat(kfl("timestamp > timestamp(\"2026-01-01T00:00:00Z\")").where()).contains("toStartOfHour");
    }

    @Test
    void docsNameEveryField() throws Exception {
        java.nio.file.Path doc = java.nio.file.Path.of("..", "docs", "kfl.md");
        String text = java.nio.file.Files.readString(java.nio.file.Files.exists(doc) ? doc : java.nio.file.Path.of("docs", "kfl.md"));
        for (String name : Fields.names()) {
            assertThat(text).as("docs/kfl.md lists %s", name).contains("`" + name + "`");
        }
    }

    private static Throwable catchIt(Runnable r) {
        try {
            r.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }
}
