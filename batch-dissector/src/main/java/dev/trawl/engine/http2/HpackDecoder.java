package dev.trawl.engine.http2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * HPACK (RFC 7541) decoder for one direction of one connection: each direction has its own
 * dynamic table. A passive observer never sent SETTINGS, so the table may grow up to
 * {@link #MAX_TABLE_SIZE} whatever the peers agreed; blocks that reference entries we never
 * saw (capture started mid-connection) fail with {@link HpackException}.
 */
public final class HpackDecoder {
    /** Upper bound of the dynamic table we keep, whatever the wire asks for. */
    public static final int MAX_TABLE_SIZE = 64 * 1024;
    /** Upper bound of one decoded header list (names + values), as a server's limit would be. */
    public static final int MAX_HEADER_LIST_SIZE = 256 * 1024;

    private static final int[] HUFFMAN_TREE = buildHuffmanTree();

    private final ArrayDeque<Header> dynamic = new ArrayDeque<>();
    private int dynamicSize;
    private int maxSize = 4096;

    /** Decodes one complete header block (HEADERS/PUSH_PROMISE plus its CONTINUATIONs). */
    public List<Header> decode(ByteBuffer block) throws HpackException {
        List<Header> out = new ArrayList<>();
        int listSize = 0;
        while (block.hasRemaining()) {
            int b = block.get(block.position()) & 0xff;
            Header h;
            if ((b & 0x80) != 0) {                       // indexed field
                h = entry(integer(block, 7));
            } else if ((b & 0xc0) == 0x40) {             // literal, incremental indexing
                h = literal(block, 6);
                add(h);
            } else if ((b & 0xe0) == 0x20) {             // dynamic table size update
                int size = integer(block, 5);
                if (size > MAX_TABLE_SIZE) {
                    throw new HpackException("table size update " + size + " over " + MAX_TABLE_SIZE);
                }
                maxSize = size;
                evict(0);
                continue;
            } else {                                     // literal without indexing / never indexed
                h = literal(block, 4);
            }
            listSize += h.name().length() + h.value().length() + 32;
            if (listSize > MAX_HEADER_LIST_SIZE) {
                throw new HpackException("header list over " + MAX_HEADER_LIST_SIZE + " bytes");
            }
            out.add(h);
        }
        return out;
    }

    int dynamicTableSize() {
        return dynamicSize;
    }

    private Header literal(ByteBuffer block, int prefix) throws HpackException {
        int index = integer(block, prefix);
        String name = index == 0 ? string(block) : entry(index).name();
        return new Header(name, string(block));
    }

    private Header entry(int index) throws HpackException {
        if (index <= 0) {
            throw new HpackException("index 0");
        }
        if (index <= HpackTables.STATIC_TABLE.length) {
            String[] e = HpackTables.STATIC_TABLE[index - 1];
            return new Header(e[0], e[1]);
        }
        int d = index - HpackTables.STATIC_TABLE.length - 1;
        if (d >= dynamic.size()) {
            throw new HpackException("index " + index + " beyond the dynamic table (" + dynamic.size()
                    + " entries): the connection's start was not seen");
        }
        // newest first; the deque's head is the newest entry
        var it = dynamic.iterator();
        Header h = it.next();
        for (int i = 0; i < d; i++) {
            h = it.next();
        }
        return h;
    }

    private void add(Header h) {
        int size = entrySize(h);
        evict(size);
        if (size <= maxSize) {
            dynamic.addFirst(h);
            dynamicSize += size;
        }
    }

    private void evict(int room) {
        while (!dynamic.isEmpty() && dynamicSize + room > maxSize) {
            dynamicSize -= entrySize(dynamic.removeLast());
        }
    }

    private static int entrySize(Header h) {
        // RFC 7541 counts octets; names and values are kept as Latin-1 strings, one char per octet
        return h.name().length() + h.value().length() + 32;
    }

    static int integer(ByteBuffer in, int prefixBits) throws HpackException {
        if (!in.hasRemaining()) {
            throw new HpackException("truncated integer");
        }
        int mask = (1 << prefixBits) - 1;
        int value = in.get() & mask;
        if (value < mask) {
            return value;
        }
        int shift = 0;
        while (true) {
            if (!in.hasRemaining()) {
                throw new HpackException("truncated integer");
            }
            int b = in.get() & 0xff;
            if (shift > 21) {
                throw new HpackException("integer too large");
            }
            value += (b & 0x7f) << shift;
            shift += 7;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
    }

    private static String string(ByteBuffer in) throws HpackException {
        if (!in.hasRemaining()) {
            throw new HpackException("truncated string");
        }
        boolean huffman = (in.get(in.position()) & 0x80) != 0;
        int length = integer(in, 7);
        if (length > in.remaining()) {
            throw new HpackException("string of " + length + " bytes, " + in.remaining() + " left");
        }
        if (length > MAX_HEADER_LIST_SIZE) {
            throw new HpackException("string of " + length + " bytes");
        }
        if (!huffman) {
            return new String(bytes(in, length), StandardCharsets.ISO_8859_1);
        }
        return huffman(in, length);
    }

    private static byte[] bytes(ByteBuffer in, int length) {
        byte[] b = new byte[length];
        in.get(b);
        return b;
    }

    /** Walks the code tree bit by bit; padding must be a prefix of EOS (all ones, under 8 bits). */
    static String huffman(ByteBuffer in, int length) throws HpackException {
        StringBuilder sb = new StringBuilder(length * 8 / 5);
        int node = 0;
        int depth = 0;
        boolean allOnes = true;
        for (int i = 0; i < length; i++) {
            int b = in.get() & 0xff;
            for (int bit = 7; bit >= 0; bit--) {
                int one = (b >>> bit) & 1;
                allOnes &= one == 1;
                depth++;
                int next = HUFFMAN_TREE[node * 2 + one];
                if (next < 0) {
                    int symbol = -next - 1;
                    if (symbol == 256) {
                        throw new HpackException("EOS in a Huffman string");
                    }
                    sb.append((char) symbol);
                    node = 0;
                    depth = 0;
                    allOnes = true;
                } else if (next == 0) {
                    throw new HpackException("invalid Huffman code");
                } else {
                    node = next;
                }
            }
        }
        if (depth > 7 || !allOnes) {
            throw new HpackException("invalid Huffman padding");
        }
        return sb.toString();
    }

    /** Node i has children at [2i] (bit 0) and [2i+1] (bit 1): > 0 a node, < 0 a symbol (-s-1). */
    private static int[] buildHuffmanTree() {
        int[] tree = new int[2 * 512];
        int nodes = 1;
        for (int symbol = 0; symbol < HpackTables.CODES.length; symbol++) {
            int code = HpackTables.CODES[symbol];
            int len = HpackTables.LENGTHS[symbol];
            int node = 0;
            for (int i = len - 1; i > 0; i--) {
                int slot = node * 2 + ((code >>> i) & 1);
                if (tree[slot] == 0) {
                    tree[slot] = nodes++;
                }
                node = tree[slot];
            }
            tree[node * 2 + (code & 1)] = -symbol - 1;
        }
        return tree;
    }
}
