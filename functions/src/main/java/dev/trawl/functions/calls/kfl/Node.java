package dev.trawl.functions.calls.kfl;

import java.util.List;

/** The syntax tree of a KFL filter, before any field is resolved. */
sealed interface Node {

    int pos();

    enum LiteralKind { STRING, REGEX, INT, FLOAT, BOOL, NULL }

    record Literal(int pos, LiteralKind kind, Object value) implements Node {}

    record Ident(int pos, String name) implements Node {}

    record Member(int pos, Node target, String name) implements Node {}

    record Index(int pos, Node target, Node index) implements Node {}

    /** A call; {@code target} is null for a global function ({@code size(x)}), set for a method ({@code x.size()}). */
    record Call(int pos, Node target, String name, List<Node> args) implements Node {}

    record Unary(int pos, String op, Node operand) implements Node {}

    record Binary(int pos, String op, Node left, Node right) implements Node {}

    record Ternary(int pos, Node condition, Node then, Node otherwise) implements Node {}

    record ListLiteral(int pos, List<Node> items) implements Node {}

    /** {@code a.b.c} when the node is a chain of plain names, else null. */
    static String dotted(Node n) {
        if (n instanceof Ident id) {
            return id.name();
        }
        if (n instanceof Member m) {
            String head = dotted(m.target());
            return head == null ? null : head + "." + m.name();
        }
        return null;
    }
}
