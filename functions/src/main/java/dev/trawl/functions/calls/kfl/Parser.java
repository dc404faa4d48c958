package dev.trawl.functions.calls.kfl;

import java.util.ArrayList;
import java.util.List;

import dev.trawl.functions.calls.kfl.Node.LiteralKind;
import dev.trawl.functions.calls.kfl.Token.Kind;

/**
 * Recursive-descent parser for both KFL dialects. Precedence, loosest first:
 * {@code ?:}, {@code || or}, {@code && and}, comparisons and {@code in}, {@code + -},
 * {@code * / %}, unary {@code ! not -}, then member access, indexing and calls.
 */
final class Parser {

    /**
     * How deep a filter may nest: parentheses, calls, lists, indexes, '!' and '-', member and
     * method chains and chains of arithmetic each take a level ({@code &&} and {@code ||} chains
     * do not: they compile flat). Deeper input is a 400, not a stack overflow here or an
     * AST too deep for ClickHouse (its max_ast_depth is 1000; one level compiles to at most a few
     * dozen).
     */
    static final int MAX_DEPTH = 32;

    private final List<Token> tokens;
    private int at;
    private int depth;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static Node parse(String kfl) {
        Parser p = new Parser(Lexer.tokenize(kfl));
        Node n = p.ternary();
        Token t = p.peek();
        if (t.kind() != Kind.EOF) {
            throw new KflException(t.pos(), "expected an operator ('&&', '||', 'and', 'or', a comparison) or end of input but found " + t.describe());
        }
        return n;
    }

    private Token peek() {
        return tokens.get(at);
    }

    private Token take() {
        return tokens.get(at++);
    }

    private boolean keyword(String word) {
        Token t = peek();
        return t.kind() == Kind.IDENT && t.text().equals(word);
    }

    private Token expect(Kind kind, String what) {
        Token t = peek();
        if (t.kind() != kind) {
            throw new KflException(t.pos(), "expected " + what + " but found " + t.describe());
        }
        return take();
    }

    private void deeper(Token at) {
        if (++depth > MAX_DEPTH) {
            throw new KflException(at.pos(), "expected a simpler filter: it nests deeper than " + MAX_DEPTH
                    + " levels (parentheses, '!', calls, indexes, arithmetic) here");
        }
    }

    private Node ternary() {
        deeper(peek());
        Node cond = or();
        if (peek().kind() == Kind.QUESTION) {
            int pos = take().pos();
            Node then = ternary();
            expect(Kind.COLON, "':' of a conditional");
            Node otherwise = ternary();
            cond = new Node.Ternary(pos, cond, then, otherwise);
        }
        depth--;
        return cond;
    }

    private Node or() {
        Node left = and();
        while (peek().is(Kind.OP, "||") || keyword("or")) {
            int pos = take().pos();
            left = new Node.Binary(pos, "||", left, and());
        }
        return left;
    }

    private Node and() {
        Node left = relation();
        while (peek().is(Kind.OP, "&&") || keyword("and")) {
            int pos = take().pos();
            left = new Node.Binary(pos, "&&", left, relation());
        }
        return left;
    }

    private static boolean comparison(Token t) {
        return t.kind() == Kind.OP && switch (t.text()) {
            case "==", "!=", "<", "<=", ">", ">=" -> true;
            default -> false;
        };
    }

    private Node relation() {
        Node left = additive();
        Token t = peek();
        if (comparison(t) || keyword("in")) {
            take();
            Node right = additive();
            Node rel = new Node.Binary(t.pos(), t.kind() == Kind.IDENT ? "in" : t.text(), left, right);
            Token again = peek();
            if (comparison(again) || keyword("in")) {
                throw new KflException(again.pos(), "expected '&&', '||' or ')' but found " + again.describe() + " (comparisons do not chain; use parentheses)");
            }
            return rel;
        }
        return left;
    }

    // a chain of arithmetic compiles to nested SQL, so each operator of it takes a level
    private Node additive() {
        int outer = depth;
        Node left = multiplicative();
        while (peek().is(Kind.OP, "+") || peek().is(Kind.OP, "-")) {
            Token op = take();
            deeper(op);
            left = new Node.Binary(op.pos(), op.text(), left, multiplicative());
        }
        depth = outer;
        return left;
    }

    private Node multiplicative() {
        int outer = depth;
        Node left = unary();
        while (peek().is(Kind.OP, "*") || peek().is(Kind.OP, "/") || peek().is(Kind.OP, "%")) {
            Token op = take();
            deeper(op);
            left = new Node.Binary(op.pos(), op.text(), left, unary());
        }
        depth = outer;
        return left;
    }

    private Node unary() {
        Token t = peek();
        boolean not = t.is(Kind.OP, "!") || keyword("not");
        if (not || t.is(Kind.OP, "-")) {
            take();
            deeper(t);
            Node operand = unary();
            depth--;
            return new Node.Unary(t.pos(), not ? "!" : "-", operand);
        }
        return postfix();
    }

    private Node postfix() {
        int outer = depth;
        Node n = primary();
        while (true) {
            Token t = peek();
            if (t.kind() == Kind.DOT || t.kind() == Kind.LBRACKET) {
                deeper(t);
            }
            if (t.kind() == Kind.DOT) {
                take();
                Token name = expect(Kind.IDENT, "a field or method name after '.'");
                if (peek().kind() == Kind.LPAREN) {
                    take();
                    n = new Node.Call(name.pos(), n, name.text(), arguments());
                } else {
                    n = new Node.Member(n.pos(), n, name.text()); // a selector's position is where it starts
                }
            } else if (t.kind() == Kind.LBRACKET) {
                take();
                Node index = ternary();
                expect(Kind.RBRACKET, "']'");
                n = new Node.Index(t.pos(), n, index);
            } else {
                depth = outer;
                return n;
            }
        }
    }

    /** After '(' : comma-separated expressions and the closing ')'. */
    private List<Node> arguments() {
        List<Node> args = new ArrayList<>();
        if (peek().kind() == Kind.RPAREN) {
            take();
            return args;
        }
        while (true) {
            args.add(ternary());
            Token t = peek();
            if (t.kind() == Kind.COMMA) {
                take();
            } else if (t.kind() == Kind.RPAREN) {
                take();
                return args;
            } else {
                throw new KflException(t.pos(), "expected ',' or ')' in an argument list but found " + t.describe());
            }
        }
    }

    private Node primary() {
        Token t = take();
        switch (t.kind()) {
            case STRING: return new Node.Literal(t.pos(), LiteralKind.STRING, t.value());
            case REGEX: return new Node.Literal(t.pos(), LiteralKind.REGEX, t.value());
            case INT: return new Node.Literal(t.pos(), LiteralKind.INT, t.value());
            case FLOAT: return new Node.Literal(t.pos(), LiteralKind.FLOAT, t.value());
            case LPAREN: {
                Node inner = ternary();
                expect(Kind.RPAREN, "')'");
                return inner;
            }
            case LBRACKET: {
                List<Node> items = new ArrayList<>();
                if (peek().kind() != Kind.RBRACKET) {
                    while (true) {
                        items.add(ternary());
                        if (peek().kind() == Kind.COMMA) {
                            take();
                        } else {
                            break;
                        }
                    }
                }
                expect(Kind.RBRACKET, "',' or ']' in a list");
                return new Node.ListLiteral(t.pos(), items);
            }
            case IDENT: {
                switch (t.text()) {
                    case "true": return new Node.Literal(t.pos(), LiteralKind.BOOL, Boolean.TRUE);
                    case "false": return new Node.Literal(t.pos(), LiteralKind.BOOL, Boolean.FALSE);
                    case "null", "nil": return new Node.Literal(t.pos(), LiteralKind.NULL, null);
                    case "and", "or", "in":
                        throw new KflException(t.pos(), "expected a field, a value or '(' but found '" + t.text() + "'");
                    default:
                }
                if (peek().kind() == Kind.LPAREN) {
                    take();
                    return new Node.Call(t.pos(), null, t.text(), arguments());
                }
                return new Node.Ident(t.pos(), t.text());
            }
            default:
                throw new KflException(t.pos(), "expected a field, a value or '(' but found " + t.describe());
        }
    }
}
