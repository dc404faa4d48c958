package dev.trawl.engine.mongodb;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the top-level fields of a BSON document: strings, numbers and booleans as values,
 * nested documents and arrays as {@link Nested}. Every length is checked against the bytes
 * there are; a bad one throws {@link BufferUnderflowException}.
 */
final class Bson {
    private Bson() {}

    static final int MAX_FIELDS = 64;

    /** A nested document or array, kept as its bytes' position for a second look. */
    record Nested(boolean array, ByteBuffer bytes) {}

    /** Reads the document at the buffer's position and moves past it. */
    static Map<String, Object> document(ByteBuffer in) {
        ByteBuffer le = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int start = le.position();
        int length = le.getInt();
        if (length < 5 || length > le.remaining() + 4) {
            throw new BufferUnderflowException();
        }
        int end = start + length - 1; // the terminating NUL
        Map<String, Object> fields = new LinkedHashMap<>();
        while (le.position() < end) {
            int type = le.get() & 0xff;
            String key = cstring(le, end);
            Object value = value(type, le, end);
            if (fields.size() < MAX_FIELDS) {
                fields.put(key, value);
            }
        }
        in.position(start + length);
        return fields;
    }

    private static Object value(int type, ByteBuffer le, int end) {
        return switch (type) {
            case 0x01 -> le.getDouble();
            case 0x02, 0x0D, 0x0E -> string(le);
            case 0x03, 0x04 -> {
                int p = le.position();
                int length = le.getInt(p);
                if (length < 5 || p + length > end + 1) {
                    throw new BufferUnderflowException();
                }
                le.position(p + length);
                yield new Nested(type == 0x04, le.slice(p, length).order(ByteOrder.LITTLE_ENDIAN));
            }
            case 0x05 -> {
                int length = le.getInt();
                skip(le, 1 + length);
                yield "<binary>";
            }
            case 0x06, 0x0A, 0xFF, 0x7F -> "null";
            case 0x07 -> {
                skip(le, 12);
                yield "<objectid>";
            }
            case 0x08 -> le.get() != 0;
            case 0x09, 0x11, 0x12 -> le.getLong();
            case 0x0B -> {
                cstring(le, end);
                cstring(le, end);
                yield "<regex>";
            }
            case 0x0C -> {
                string(le);
                skip(le, 12);
                yield "<dbpointer>";
            }
            case 0x0F -> {
                int length = le.getInt();
                skip(le, length - 4);
                yield "<code>";
            }
            case 0x10 -> le.getInt();
            case 0x13 -> {
                skip(le, 16);
                yield "<decimal>";
            }
            default -> throw new BufferUnderflowException();
        };
    }

    private static void skip(ByteBuffer le, int n) {
        if (n < 0 || n > le.remaining()) {
            throw new BufferUnderflowException();
        }
        le.position(le.position() + n);
    }

    private static String string(ByteBuffer le) {
        int length = le.getInt();
        if (length < 1 || length > le.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] b = new byte[length - 1];
        le.get(b);
        le.get();
        return new String(b, StandardCharsets.UTF_8);
    }

    static String cstring(ByteBuffer le, int end) {
        int start = le.position();
        int i = start;
        while (i < end && le.get(i) != 0) {
            i++;
        }
        if (i >= end + 1 || i >= le.limit()) {
            throw new BufferUnderflowException();
        }
        byte[] b = new byte[i - start];
        le.get(b);
        le.get();
        return new String(b, StandardCharsets.UTF_8);
    }
}
