package dev.trawl.engine.amqp;

import java.util.Map;

/** AMQP 0-9-1 class and method names, and which method answers which. */
final class AmqpMethods {
    private AmqpMethods() {}

    static final int CONNECTION = 10, CHANNEL = 20, EXCHANGE = 40, QUEUE = 50, BASIC = 60, CONFIRM = 85, TX = 90;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            e(10, 10, "connection.start"), e(10, 11, "connection.start-ok"), e(10, 20, "connection.secure"),
            e(10, 21, "connection.secure-ok"), e(10, 30, "connection.tune"), e(10, 31, "connection.tune-ok"),
            e(10, 40, "connection.open"), e(10, 41, "connection.open-ok"), e(10, 50, "connection.close"),
            e(10, 51, "connection.close-ok"), e(10, 60, "connection.blocked"), e(10, 61, "connection.unblocked"),
            e(20, 10, "channel.open"), e(20, 11, "channel.open-ok"), e(20, 20, "channel.flow"),
            e(20, 21, "channel.flow-ok"), e(20, 40, "channel.close"), e(20, 41, "channel.close-ok"),
            e(40, 10, "exchange.declare"), e(40, 11, "exchange.declare-ok"), e(40, 20, "exchange.delete"),
            e(40, 21, "exchange.delete-ok"), e(40, 30, "exchange.bind"), e(40, 31, "exchange.bind-ok"),
            e(40, 40, "exchange.unbind"), e(40, 51, "exchange.unbind-ok"),
            e(50, 10, "queue.declare"), e(50, 11, "queue.declare-ok"), e(50, 20, "queue.bind"),
            e(50, 21, "queue.bind-ok"), e(50, 30, "queue.purge"), e(50, 31, "queue.purge-ok"),
            e(50, 40, "queue.delete"), e(50, 41, "queue.delete-ok"), e(50, 50, "queue.unbind"),
            e(50, 51, "queue.unbind-ok"),
            e(60, 10, "basic.qos"), e(60, 11, "basic.qos-ok"), e(60, 20, "basic.consume"),
            e(60, 21, "basic.consume-ok"), e(60, 30, "basic.cancel"), e(60, 31, "basic.cancel-ok"),
            e(60, 40, "basic.publish"), e(60, 50, "basic.return"), e(60, 60, "basic.deliver"),
            e(60, 70, "basic.get"), e(60, 71, "basic.get-ok"), e(60, 72, "basic.get-empty"),
            e(60, 80, "basic.ack"), e(60, 90, "basic.reject"), e(60, 100, "basic.recover-async"),
            e(60, 110, "basic.recover"), e(60, 111, "basic.recover-ok"), e(60, 120, "basic.nack"),
            e(85, 10, "confirm.select"), e(85, 11, "confirm.select-ok"),
            e(90, 10, "tx.select"), e(90, 11, "tx.select-ok"), e(90, 20, "tx.commit"), e(90, 21, "tx.commit-ok"),
            e(90, 30, "tx.rollback"), e(90, 31, "tx.rollback-ok"));

    private static Map.Entry<Integer, String> e(int classId, int methodId, String name) {
        return Map.entry(key(classId, methodId), name);
    }

    static int key(int classId, int methodId) {
        return classId << 16 | methodId;
    }

    static String name(int classId, int methodId) {
        String n = NAMES.get(key(classId, methodId));
        return n != null ? n : classId + "." + methodId;
    }

    static boolean known(int classId, int methodId) {
        return NAMES.containsKey(key(classId, methodId));
    }

    /** Whether the method is a synchronous request that waits for an answer. */
    static boolean expectsAnswer(int classId, int methodId) {
        if (classId == BASIC) {
            return methodId == 10 || methodId == 20 || methodId == 30 || methodId == 70 || methodId == 110;
        }
        if (classId == EXCHANGE && methodId == 40) {
            return true;  // unbind is answered by 51
        }
        return methodId % 10 == 0 && NAMES.containsKey(key(classId, methodId + 1))
                && !(classId == CONNECTION && methodId == 60);
    }

    /** Whether {@code answer} answers {@code request} (same class). */
    static boolean answers(int classId, int request, int answer) {
        if (classId == EXCHANGE && request == 40) {
            return answer == 51;
        }
        if (classId == BASIC && request == 70) {
            return answer == 71 || answer == 72;
        }
        return answer == request + 1;
    }

    /** Methods followed by a content header and body frames. */
    static boolean carriesContent(int classId, int methodId) {
        return classId == BASIC && (methodId == 40 || methodId == 50 || methodId == 60 || methodId == 71);
    }
}
