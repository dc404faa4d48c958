package dev.trawl.engine.kafka;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads Kafka's primitive types from one message, in classic or flexible (compact) encoding.
 * Every length from the wire is checked against what remains: a bad one throws
 * {@link BufferUnderflowException}, which the caller treats as "the rest is unreadable".
 */
final class KafkaReader {
    private final ByteBuffer in;
    private final boolean flexible;

    KafkaReader(ByteBuffer in, boolean flexible) {
        this.in = in;
        this.flexible = flexible;
    }

    short int16() {
        return in.getShort();
    }

    int int32() {
        return in.getInt();
    }

    void skip(int n) {
        if (n < 0 || n > in.remaining()) {
            throw new BufferUnderflowException();
        }
        in.position(in.position() + n);
    }

    /** Classic strings have an int16 length (-1 for null); compact ones an unsigned varint length+1. */
    String string() {
        int length = flexible ? (int) unsignedVarint() - 1 : in.getShort();
        if (length < 0) {
            return null;
        }
        if (length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        return new String(slice(length), StandardCharsets.UTF_8);
    }

    /** Classic strings in the header: the client id is never compact, even in header v2. */
    String classicString() {
        int length = in.getShort();
        if (length < 0) {
            return null;
        }
        if (length > in.remaining()) {
            throw new BufferUnderflowException();
        }
        return new String(slice(length), StandardCharsets.UTF_8);
    }

    private byte[] slice(int length) {
        byte[] b = new byte[length];
        in.get(b);
        return b;
    }

    /** An array's element count; -1 for a null array. */
    int arrayLength() {
        int n = flexible ? (int) unsignedVarint() - 1 : in.getInt();
        if (n > in.remaining()) {
            throw new BufferUnderflowException(); // every element takes at least one byte
        }
        return n;
    }

    /** Nullable bytes' length: int32, or unsigned varint length+1 when compact; -1 for null. */
    int bytesLength() {
        long n = flexible ? unsignedVarint() - 1 : in.getInt();
        if (n > in.remaining()) {
            throw new BufferUnderflowException();
        }
        return (int) n;
    }

    void taggedFields() {
        if (!flexible) {
            return;
        }
        long count = unsignedVarint();
        for (long i = 0; i < count; i++) {
            unsignedVarint();
            skip((int) Math.min(Integer.MAX_VALUE, unsignedVarint()));
        }
    }

    long unsignedVarint() {
        long value = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.get() & 0xff;
            value |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new BufferUnderflowException();
    }
}
