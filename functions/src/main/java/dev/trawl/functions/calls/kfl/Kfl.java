package dev.trawl.functions.calls.kfl;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;


/**
 * Compiles a KFL filter (Kubeshark's first KFL or KFL2/CEL) to a ClickHouse condition over the
 * {@code calls} table. Values from the filter become server-side parameters; names become SQL
 * only through {@link Fields}. Blank means "every call".
 *
 * <pre>{@code
 * SqlFilter f = Kfl.compile("http && dst.service.name == \"payment\" && status_code >= 500");
 * // f.where():  (protocol IN ('http', 'http2', 'grpc') AND (dst_service = {kfl_1:String}) AND (status >= {kfl_2:Int64}))
 * // f.params(): {kfl_1=payment, kfl_2=500}
 * }</pre>
 */
public final class Kfl {

    static final List<String> FUNCTIONS = List.of(
            "contains", "duration", "endsWith", "int", "map_get", "matches", "now", "size", "startsWith", "string", "timestamp");

    private final Map<String, String> params = new LinkedHashMap<>();
    private final long nowMicros;

    private final Fields.Subject subject;

    private Kfl(long nowMicros, Fields.Subject subject) {
        this.nowMicros = nowMicros;
        this.subject = subject;
    }

    public static SqlFilter compile(String kfl) {
        return compile(kfl, Clock.systemUTC().instant());
    }

    /** @param now what {@code now()} means (Kubeshark: the time the filter is created) */
    public static SqlFilter compile(String kfl, Instant now) {
        return compile(kfl, now, Fields.Subject.CALLS);
    }

    /** A filter over {@code subject}'s fields: the same language, another table's columns. */
    public static SqlFilter compile(String kfl, Instant now, Fields.Subject subject) {
        if (kfl == null || kfl.isBlank()) {
            return new SqlFilter("1", Map.of());
        }
        Node tree = Parser.parse(kfl);
        Kfl k = new Kfl(Durations.micros(now), subject);
        String where = k.condition(k.expr(tree), tree.pos());
        return new SqlFilter(where, k.params);
    }

    /** A compiled sub-expression. A literal has no SQL until it is bound as the type it meets. */
    private record Expr(String sql, Type type, Object literal, Field field, int pos) {

        boolean isLiteral() {
            return sql == null;
        }

        static Expr sql(String sql, Type type, int pos) {
            return new Expr(sql, type, null, null, pos);
        }

        static Expr literal(Type type, Object value, int pos) {
            return new Expr(null, type, value, null, pos);
        }

        String what() {
            if (field != null) {
                return "field " + field.name() + " (" + type.kfl + ")";
            }
            return isLiteral() ? type.kfl + " value" : type.kfl + " expression";
        }
    }

    // ---------------------------------------------------------------- parameters

    private String param(String clickHouseType, String value) {
        String name = "kfl_" + (params.size() + 1);
        params.put(name, value);
        return "{" + name + ":" + clickHouseType + "}";
    }

    /** The SQL of {@code e} as {@code as}: a literal becomes a parameter, anything else must already be of that type. */
    private String bind(Expr e, Type as) {
        if (!e.isLiteral()) {
            return e.sql();
        }
        Object v = coerce(e, as);
        return switch (as) {
            case STRING, REGEX -> param("String", (String) v);
            case INT, DURATION -> param("Int64", Long.toString((Long) v));
            case FLOAT -> param("Float64", Double.toString((Double) v));
            case TIME -> "fromUnixTimestamp64Micro(" + param("Int64", Long.toString((Long) v)) + ", 'UTC')";
            case BOOL -> ((Boolean) v) ? "true" : "false";
            default -> throw new KflException(e.pos(), "a " + e.type().kfl + " value cannot be used here");
        };
    }

    /** A literal's value converted to {@code as}, or an error that says what was expected. */
    private Object coerce(Expr e, Type as) {
        Object v = e.literal();
        Type t = e.type();
        if (t == as || (t == Type.REGEX && as == Type.STRING) || (t == Type.STRING && as == Type.REGEX)) {
            return v;
        }
        switch (as) {
            case STRING:
                if (t == Type.INT || t == Type.FLOAT) {
                    return String.valueOf(v);
                }
                break;
            case INT:
                if (t == Type.STRING) {
                    try {
                        return Long.parseLong(((String) v).trim());
                    } catch (NumberFormatException ex) {
                        throw new KflException(e.pos(), "expected a number but found string \"" + v + "\"");
                    }
                }
                if (t == Type.DURATION) {
                    return v;
                }
                break;
            case FLOAT:
                if (t == Type.INT) {
                    return ((Long) v).doubleValue();
                }
                if (t == Type.STRING) {
                    try {
                        return Double.parseDouble(((String) v).trim());
                    } catch (NumberFormatException ex) {
                        throw new KflException(e.pos(), "expected a number but found string \"" + v + "\"");
                    }
                }
                break;
            case TIME:
                if (t == Type.INT) {
                    try {
                        return Math.multiplyExact((Long) v, 1000L); // the first KFL's timestamps are epoch milliseconds
                    } catch (ArithmeticException overflow) {
                        throw new KflException(e.pos(), "expected epoch milliseconds within ±292 000 years but found " + v);
                    }
                }
                if (t == Type.STRING) {
                    return Durations.timestampMicros((String) v, e.pos());
                }
                break;
            case DURATION:
                if (t == Type.INT) {
                    return v; // microseconds, as elapsed_time counts them
                }
                if (t == Type.STRING) {
                    return Durations.micros((String) v, e.pos());
                }
                break;
            default:
        }
        throw new KflException(e.pos(), "expected a " + as.kfl + " but found a " + t.kfl + " value");
    }

    /** The SQL of {@code e} used as a condition. */
    private String condition(Expr e, int pos) {
        if (e.isLiteral()) {
            return switch (e.type()) {
                case BOOL -> ((Boolean) e.literal()) ? "true" : "false";
                case NULL -> "false";
                default -> throw new KflException(e.pos(), "expected a condition but found a " + e.type().kfl + " value");
            };
        }
        return switch (e.type()) {
            case BOOL -> e.sql();
            // the first KFL: a selector alone is true when it has a value
            case STRING -> "(" + e.sql() + " != '')";
            case INT, FLOAT -> "(" + e.sql() + " != 0)";
            case LIST -> "notEmpty(" + e.sql() + ")";
            case MAP -> "notEmpty(mapKeys(" + e.sql() + "))";
            default -> throw new KflException(pos, "expected a condition but found " + e.what());
        };
    }

    // ---------------------------------------------------------------- expressions

    private Expr expr(Node n) {
        return switch (n) {
            case Node.Literal l -> literal(l);
            case Node.Ident i -> selector(n);
            case Node.Member m -> selector(n);
            case Node.Index ix -> index(ix);
            case Node.Call c -> call(c);
            case Node.Unary u -> unary(u);
            case Node.Binary b -> binary(b);
            case Node.Ternary t -> ternary(t);
            case Node.ListLiteral l -> throw new KflException(l.pos(), "a list can only follow 'in'");
        };
    }

    private static Expr literal(Node.Literal l) {
        Type t = switch (l.kind()) {
            case STRING -> Type.STRING;
            case REGEX -> Type.REGEX;
            case INT -> Type.INT;
            case FLOAT -> Type.FLOAT;
            case BOOL -> Type.BOOL;
            case NULL -> Type.NULL;
        };
        return Expr.literal(t, l.value(), l.pos());
    }

    private Expr selector(Node n) {
        String name = Node.dotted(n);
        if (name == null) {
            throw new KflException(n.pos(), "expected a field name");
        }
        Field f = subject.fields().get(name);
        if (f != null) {
            return new Expr(f.sql(), f.type(), null, f, n.pos());
        }
        // the first KFL's request.headers.host: a member of a map is a key
        if (n instanceof Node.Member m && Node.dotted(m.target()) != null) {
            Field map = subject.fields().get(Node.dotted(m.target()));
            if (map != null && map.type() == Type.MAP) {
                return Expr.sql(map.lookup(param("String", m.name())), Type.STRING, n.pos());
            }
        }
        throw unknownField(name, n.pos(), subject);
    }

    static KflException unknownField(String name, int pos, Fields.Subject subject) {
        return new KflException(pos, "unknown field '" + name + "'; the fields are: " + String.join(", ", subject.names()));
    }

    private Expr index(Node.Index ix) {
        Expr target = expr(ix.target());
        Expr key = expr(ix.index());
        if (target.type() == Type.MAP) {
            return Expr.sql(target.field().lookup(bind(key, Type.STRING)), Type.STRING, ix.pos());
        }
        if (target.type() == Type.LIST) {
            // CEL lists count from 0, ClickHouse arrays from 1
            return Expr.sql("arrayElement(" + target.sql() + ", " + bind(key, Type.INT) + " + 1)", Type.STRING, ix.pos());
        }
        throw new KflException(ix.pos(), "expected a map or a list before '[' but found " + target.what());
    }

    private Expr unary(Node.Unary u) {
        Expr e = expr(u.operand());
        if (u.op().equals("!")) {
            if (e.isLiteral() && e.type() == Type.BOOL) {
                return Expr.literal(Type.BOOL, !(Boolean) e.literal(), u.pos());
            }
            return Expr.sql("(NOT " + condition(e, u.operand().pos()) + ")", Type.BOOL, u.pos());
        }
        if (e.isLiteral()) {
            return switch (e.type()) {
                case INT, DURATION -> Expr.literal(e.type(), -(Long) e.literal(), u.pos());
                case FLOAT -> Expr.literal(Type.FLOAT, -(Double) e.literal(), u.pos());
                default -> throw new KflException(u.pos(), "expected a number after '-' but found " + e.what());
            };
        }
        if (!e.type().numeric() && e.type() != Type.DURATION) {
            throw new KflException(u.pos(), "expected a number after '-' but found " + e.what());
        }
        return Expr.sql("(-" + e.sql() + ")", e.type(), u.pos());
    }

    private Expr ternary(Node.Ternary t) {
        String c = condition(expr(t.condition()), t.condition().pos());
        Expr a = expr(t.then());
        Expr b = expr(t.otherwise());
        Type type = a.isLiteral() && !b.isLiteral() ? b.type() : a.type();
        if (type == Type.REGEX || type == Type.NULL) {
            type = Type.STRING;
        }
        String as = bind(a, type);
        String bs = bind(b, type);
        if (!a.isLiteral() && !b.isLiteral() && a.type() != b.type()) {
            throw new KflException(t.otherwise().pos(), "expected a " + a.type().kfl + " after ':' but found " + b.what());
        }
        return Expr.sql("if(" + c + ", " + as + ", " + bs + ")", type, t.pos());
    }

    private Expr binary(Node.Binary b) {
        return switch (b.op()) {
            case "&&", "||" -> logical(b);
            case "in" -> in(b);
            case "==", "!=", "<", "<=", ">", ">=" -> compare(b);
            default -> arithmetic(b);
        };
    }

    /**
     * {@code a || b || c} as one flat {@code (a OR b OR c)}: the parser builds such a chain
     * left-deep, and walking it by recursion, or nesting its SQL, would make a long chain of
     * alternatives overflow the stack or ClickHouse's max_ast_depth.
     */
    private Expr logical(Node.Binary b) {
        List<Node> operands = new ArrayList<>();
        Node n = b;
        while (n instanceof Node.Binary chain && chain.op().equals(b.op())) {
            operands.add(chain.right());
            n = chain.left();
        }
        operands.add(n);
        List<String> conditions = new ArrayList<>(operands.size());
        for (Node operand : operands.reversed()) {
            conditions.add(condition(expr(operand), operand.pos()));
        }
        return Expr.sql("(" + String.join(b.op().equals("&&") ? " AND " : " OR ", conditions) + ")", Type.BOOL, b.pos());
    }

    private Expr compare(Node.Binary b) {
        Expr l = expr(b.left());
        Expr r = expr(b.right());
        String op = b.op();
        if (l.type() == Type.REGEX || r.type() == Type.REGEX) {
            return regexCompare(b, l.type() == Type.REGEX ? r : l, l.type() == Type.REGEX ? l : r);
        }
        if (l.type() == Type.NULL || r.type() == Type.NULL) {
            throw new KflException(b.pos(), "null cannot be compared: compare with \"\" or 0 instead");
        }
        boolean ordering = !op.equals("==") && !op.equals("!=");
        Type type = commonType(b, l, r);
        if (type == Type.MAP || (ordering && (type == Type.BOOL || type == Type.LIST))) {
            throw new KflException(b.pos(), "'" + op + "' cannot compare " + l.what() + " with " + r.what());
        }
        if (type == Type.LIST) {
            // the first KFL's wildcard meaning: a list equals a value when any element does
            Expr list = l.type() == Type.LIST ? l : r;
            Expr value = list == l ? r : l;
            String has = "has(" + list.sql() + ", " + bind(value, Type.STRING) + ")";
            return Expr.sql(op.equals("==") ? has : "(NOT " + has + ")", Type.BOOL, b.pos());
        }
        String sqlOp = switch (op) {
            case "==" -> "=";
            default -> op;
        };
        Expr field = l.field() != null ? l : r.field() != null ? r : null;
        Expr value = field == l ? r : l;
        if (field != null && value.isLiteral() && field.field().protocol() != null && op.equals("==")
                && !String.valueOf(value.literal()).isEmpty()) {
            // redis_key == "k" is (protocol = 'redis' AND path = 'k'): the sort key and path's index answer it
            String v = bind(value, Type.STRING);
            return Expr.sql("(protocol = '" + field.field().protocol() + "' AND " + field.field().column() + " = " + v + ")", Type.BOOL, b.pos());
        }
        String ls = bind(lowered(l, r), type);
        String rs = bind(lowered(r, l), type);
        String cmp = "(" + ls + " " + sqlOp + " " + rs + ")";
        if (type == Type.TIME && field != null && field.sql().equals("ts") && value.isLiteral() && !op.equals("!=")
                && boundsHours(Math.floorDiv((Long) coerce(value, Type.TIME), 1_000_000L))) {
            // the sort key holds toStartOfHour(ts), which ClickHouse does not derive from a condition on ts
            String bucketOp = switch (op) {
                case ">" -> ">=";
                case "<" -> "<=";
                default -> sqlOp;
            };
            String bucket = field == l
                    ? "toStartOfHour(ts) " + bucketOp + " toStartOfHour(" + rs + ")"
                    : "toStartOfHour(" + ls + ") " + bucketOp + " toStartOfHour(ts)";
            return Expr.sql("(" + cmp.substring(1, cmp.length() - 1) + " AND " + bucket + ")", Type.BOOL, b.pos());
        }
        return Expr.sql(cmp, Type.BOOL, b.pos());
    }

    /**
     * Whether a time (epoch seconds) can bound the sort key's {@code toStartOfHour(ts)}, which is a
     * DateTime (1970 to 2106): outside that range toStartOfHour wraps (1950 reads as 2086), so
     * such a bound stays on {@code ts} alone, and every hour a call can be in passes it anyway.
     */
    public static boolean boundsHours(long epochSeconds) {
        return epochSeconds >= 0 && epochSeconds <= 0xFFFF_FFFFL;
    }

    /** A string literal compared with a lower-case column is lower-cased ("HTTP" finds http). */
    private static Expr lowered(Expr e, Expr other) {
        if (e.isLiteral() && e.type() == Type.STRING && other.field() != null && other.field().lowerCase()) {
            return Expr.literal(Type.STRING, ((String) e.literal()).toLowerCase(Locale.ROOT), e.pos());
        }
        return e;
    }

    private Type commonType(Node.Binary b, Expr l, Expr r) {
        if (l.isLiteral() && !r.isLiteral()) {
            return r.type() == Type.LIST ? Type.LIST : widen(r.type(), l.type());
        }
        if (!l.isLiteral()) {
            if (r.isLiteral()) {
                return l.type() == Type.LIST ? Type.LIST : widen(l.type(), r.type());
            }
            Type a = l.type();
            Type c = r.type();
            if (a == c) {
                return a;
            }
            if (a.numeric() && c.numeric()) {
                return Type.FLOAT;
            }
            if ((a == Type.INT && c == Type.DURATION) || (a == Type.DURATION && c == Type.INT)) {
                return Type.INT;
            }
            if (a == Type.LIST && c == Type.STRING || a == Type.STRING && c == Type.LIST) {
                return Type.LIST;
            }
            throw new KflException(b.pos(), "'" + b.op() + "' cannot compare " + l.what() + " with " + r.what());
        }
        return l.type() == Type.INT && r.type() == Type.FLOAT ? Type.FLOAT : l.type();
    }

    /** The type a literal is bound as when it meets an expression of type {@code column}. */
    private static Type widen(Type column, Type literal) {
        if (column == Type.INT && literal == Type.FLOAT) {
            return Type.FLOAT;
        }
        return column;
    }

    private Expr regexCompare(Node.Binary b, Expr subject, Expr regex) {
        if (!b.op().equals("==") && !b.op().equals("!=")) {
            throw new KflException(b.pos(), "a regex can only be matched with '==' or '!=' but found '" + b.op() + "'");
        }
        String pattern = bind(regex, Type.REGEX);
        String match = switch (subject.type()) {
            case STRING -> "match(" + bind(subject, Type.STRING) + ", " + pattern + ")";
            case INT, FLOAT -> "match(toString(" + subject.sql() + "), " + pattern + ")";
            case LIST -> "arrayExists(x -> match(x, " + pattern + "), " + subject.sql() + ")";
            default -> throw new KflException(b.pos(), "a regex cannot match " + subject.what());
        };
        return Expr.sql(b.op().equals("==") ? match : "(NOT " + match + ")", Type.BOOL, b.pos());
    }

    private Expr in(Node.Binary b) {
        Expr needle = expr(b.left());
        if (b.right() instanceof Node.ListLiteral list) {
            if (list.items().isEmpty()) {
                return Expr.sql("false", Type.BOOL, b.pos());
            }
            Type type = needle.isLiteral() ? Type.STRING : needle.type();
            List<String> items = new ArrayList<>();
            for (Node item : list.items()) {
                Expr e = expr(item);
                if (!e.isLiteral()) {
                    throw new KflException(item.pos(), "expected a value in the list but found " + e.what());
                }
                items.add(bind(lowered(e, needle), type == Type.LIST ? Type.STRING : type));
            }
            if (type == Type.LIST) {
                return Expr.sql("hasAny(" + needle.sql() + ", [" + String.join(", ", items) + "])", Type.BOOL, b.pos());
            }
            return Expr.sql("(" + bind(needle, type) + " IN (" + String.join(", ", items) + "))", Type.BOOL, b.pos());
        }
        Expr haystack = expr(b.right());
        return switch (haystack.type()) {
            case LIST -> Expr.sql("has(" + haystack.sql() + ", " + bind(needle, Type.STRING) + ")", Type.BOOL, b.pos());
            case MAP -> Expr.sql(haystack.field().containsKey(bind(needle, Type.STRING)), Type.BOOL, b.pos());
            default -> throw new KflException(b.right().pos(), "expected a list, a map or [...] after 'in' but found " + haystack.what());
        };
    }

    private Expr arithmetic(Node.Binary b) {
        Expr l = expr(b.left());
        Expr r = expr(b.right());
        String op = b.op();
        Type lt = l.type();
        Type rt = r.type();
        // time arithmetic on constants folds here, so now() - duration("5m") is one parameter
        if (l.isLiteral() && r.isLiteral()) {
            Object folded = fold(op, l, r);
            if (folded != null) {
                return (Expr) folded;
            }
        }
        if ((lt == Type.TIME) && (rt == Type.DURATION || (r.isLiteral() && rt == Type.INT)) && (op.equals("+") || op.equals("-"))) {
            String d = "toIntervalMicrosecond(" + bind(r, Type.DURATION) + ")";
            return Expr.sql("(" + bind(l, Type.TIME) + " " + op + " " + d + ")", Type.TIME, b.pos());
        }
        if (lt == Type.TIME && rt == Type.TIME && op.equals("-")) {
            return Expr.sql("dateDiff('microsecond', " + bind(r, Type.TIME) + ", " + bind(l, Type.TIME) + ")", Type.DURATION, b.pos());
        }
        if (lt == Type.STRING && rt == Type.STRING && op.equals("+")) {
            return Expr.sql("concat(" + bind(l, Type.STRING) + ", " + bind(r, Type.STRING) + ")", Type.STRING, b.pos());
        }
        boolean lNum = lt.numeric() || lt == Type.DURATION;
        boolean rNum = rt.numeric() || rt == Type.DURATION;
        if (!lNum || !rNum) {
            throw new KflException(b.pos(), "'" + op + "' cannot combine " + l.what() + " with " + r.what());
        }
        Type type = lt == Type.FLOAT || rt == Type.FLOAT ? Type.FLOAT
                : lt == Type.DURATION || rt == Type.DURATION ? Type.DURATION : Type.INT;
        Type bindAs = type == Type.DURATION ? Type.INT : type;
        String ls = bind(l, l.type() == Type.DURATION ? Type.DURATION : bindAs);
        String rs = bind(r, r.type() == Type.DURATION ? Type.DURATION : bindAs);
        if ((op.equals("/") || op.equals("%")) && r.literal() instanceof Number divisor && divisor.doubleValue() == 0 && type != Type.FLOAT) {
            throw new KflException(b.right().pos(), "expected a divisor other than 0");
        }
        // ClickHouse refuses a whole query when one row divides an integer by 0; such a row gets 0 (a float gets inf or nan)
        String sql = switch (op) {
            case "/" -> type == Type.FLOAT ? "(" + ls + " / " + rs + ")" : "intDivOrZero(" + ls + ", " + rs + ")";
            case "%" -> type == Type.FLOAT ? "(" + ls + " % " + rs + ")" : "moduloOrZero(" + ls + ", " + rs + ")";
            default -> "(" + ls + " " + op + " " + rs + ")";
        };
        return Expr.sql(sql, type, b.pos());
    }

    private static Object fold(String op, Expr l, Expr r) {
        Type lt = l.type();
        Type rt = r.type();
        if (!(op.equals("+") || op.equals("-"))) {
            return null;
        }
        boolean plus = op.equals("+");
        try {
            if ((lt == Type.TIME || lt == Type.DURATION) && rt == Type.DURATION) {
                long a = (Long) l.literal();
                long b = (Long) r.literal();
                return Expr.literal(lt, plus ? Math.addExact(a, b) : Math.subtractExact(a, b), l.pos());
            }
            if (lt == Type.TIME && rt == Type.TIME && !plus) {
                return Expr.literal(Type.DURATION, Math.subtractExact((Long) l.literal(), (Long) r.literal()), l.pos());
            }
        } catch (ArithmeticException e) {
            throw new KflException(l.pos(), "expected a time or duration within ±292 000 years but '" + op + "' goes beyond it");
        }
        return null;
    }

    // ---------------------------------------------------------------- functions

    private Expr call(Node.Call c) {
        List<Node> args = new ArrayList<>(c.args());
        Expr target = null;
        if (c.target() != null) {
            target = expr(c.target());
        } else if (List.of("startsWith", "endsWith", "contains", "matches").contains(c.name()) && args.size() == 2) {
            target = expr(args.removeFirst()); // the global form: startsWith(path, "/api")
        }
        return switch (c.name()) {
            case "startsWith", "endsWith", "contains", "matches" -> stringTest(c, target, args);
            case "size" -> size(c, target, args);
            case "timestamp" -> {
                Expr s = single(c, target, args);
                if (!s.isLiteral() || s.type() != Type.STRING) {
                    throw new KflException(c.pos(), "timestamp() expects a string like \"2026-03-14T22:00:00Z\"");
                }
                yield Expr.literal(Type.TIME, Durations.timestampMicros((String) s.literal(), s.pos()), c.pos());
            }
            case "duration" -> {
                Expr s = single(c, target, args);
                if (!s.isLiteral() || s.type() != Type.STRING) {
                    throw new KflException(c.pos(), "duration() expects a string like \"5m\"");
                }
                yield Expr.literal(Type.DURATION, Durations.micros((String) s.literal(), s.pos()), c.pos());
            }
            case "now" -> {
                if (target != null || !args.isEmpty()) {
                    throw new KflException(c.pos(), "now() takes no arguments");
                }
                yield Expr.literal(Type.TIME, nowMicros, c.pos());
            }
            case "map_get" -> mapGet(c, target, args);
            case "string" -> {
                Expr s = single(c, target, args);
                yield s.isLiteral() ? Expr.literal(Type.STRING, String.valueOf(s.literal()), c.pos())
                        : Expr.sql("toString(" + s.sql() + ")", Type.STRING, c.pos());
            }
            case "int" -> {
                Expr s = single(c, target, args);
                if (s.isLiteral()) {
                    yield Expr.literal(Type.INT, coerce(s, Type.INT), c.pos());
                }
                yield switch (s.type()) {
                    case STRING -> Expr.sql("toInt64OrZero(" + s.sql() + ")", Type.INT, c.pos());
                    case INT, DURATION -> Expr.sql(s.sql(), Type.INT, c.pos());
                    case FLOAT -> Expr.sql("toInt64(" + s.sql() + ")", Type.INT, c.pos());
                    case TIME -> Expr.sql("toUnixTimestamp(" + s.sql() + ")", Type.INT, c.pos());
                    default -> throw new KflException(c.pos(), "int() cannot convert " + s.what());
                };
            }
            default -> throw new KflException(c.pos(), "unknown function '" + c.name() + "'; the functions are: " + String.join(", ", FUNCTIONS));
        };
    }

    private Expr single(Node.Call c, Expr target, List<Node> args) {
        if (target != null && args.isEmpty()) {
            return target;
        }
        if (target == null && args.size() == 1) {
            return expr(args.getFirst());
        }
        throw new KflException(c.pos(), c.name() + "() expects one argument");
    }

    private Expr stringTest(Node.Call c, Expr target, List<Node> args) {
        if (target == null || args.size() != 1) {
            throw new KflException(c.pos(), "expected " + c.name() + "(value) on a field, like path." + c.name() + "(\"/api\")");
        }
        Expr arg = expr(args.getFirst());
        if (arg.type() != Type.STRING && arg.type() != Type.REGEX && !(arg.isLiteral() && arg.type().numeric())) {
            throw new KflException(args.getFirst().pos(), c.name() + "() expects a string but found " + arg.what());
        }
        String a = bind(arg, Type.STRING);
        if (target.type() == Type.MAP && c.name().equals("contains")) {
            return Expr.sql(target.field().containsKey(a), Type.BOOL, c.pos());
        }
        if (target.type() == Type.LIST) {
            String each = test(c.name(), "x", a);
            return Expr.sql("arrayExists(x -> " + each + ", " + target.sql() + ")", Type.BOOL, c.pos());
        }
        String subject = switch (target.type()) {
            case STRING -> bind(target, Type.STRING);
            case INT, FLOAT -> "toString(" + target.sql() + ")";
            default -> throw new KflException(c.pos(), c.name() + "() applies to a string but found " + target.what());
        };
        return Expr.sql(test(c.name(), subject, a), Type.BOOL, c.pos());
    }

    private static String test(String function, String subject, String arg) {
        return switch (function) {
            case "startsWith" -> "startsWith(" + subject + ", " + arg + ")";
            case "endsWith" -> "endsWith(" + subject + ", " + arg + ")";
            case "contains" -> "(position(" + subject + ", " + arg + ") > 0)";
            case "matches" -> "match(" + subject + ", " + arg + ")";
            default -> throw new IllegalArgumentException(function);
        };
    }

    private Expr size(Node.Call c, Expr target, List<Node> args) {
        Expr e = single(c, target, args);
        if (e.isLiteral() && e.type() == Type.STRING) {
            return Expr.literal(Type.INT, (long) ((String) e.literal()).codePointCount(0, ((String) e.literal()).length()), c.pos());
        }
        return switch (e.type()) {
            case STRING -> Expr.sql("lengthUTF8(" + e.sql() + ")", Type.INT, c.pos());
            case LIST -> Expr.sql("length(" + e.sql() + ")", Type.INT, c.pos());
            case MAP -> Expr.sql("length(mapKeys(" + e.sql() + "))", Type.INT, c.pos());
            default -> throw new KflException(c.pos(), "size() applies to a string, list or map but found " + e.what());
        };
    }

    private Expr mapGet(Node.Call c, Expr target, List<Node> args) {
        List<Node> all = new ArrayList<>(args);
        Expr map = target != null ? target : all.isEmpty() ? null : expr(all.removeFirst());
        if (map == null || all.size() != 2) {
            throw new KflException(c.pos(), "expected map_get(map, key, default)");
        }
        if (map.type() != Type.MAP) {
            throw new KflException(c.pos(), "map_get() expects a map (request.headers, response.headers, fields) but found " + map.what());
        }
        Expr keyExpr = expr(all.get(0));
        if (!keyExpr.isLiteral()) {
            // the key's SQL appears twice below: an expression there would double at every level of nesting
            throw new KflException(all.get(0).pos(), "map_get() expects a key like \"content-type\" but found " + keyExpr.what());
        }
        String key = bind(keyExpr, Type.STRING);
        String fallback = bind(expr(all.get(1)), Type.STRING);
        return Expr.sql("if(" + map.field().containsKey(key) + ", " + map.field().lookup(key) + ", " + fallback + ")", Type.STRING, c.pos());
    }

}
