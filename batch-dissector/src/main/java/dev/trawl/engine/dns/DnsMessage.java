package dev.trawl.engine.dns;

import dev.trawl.engine.packet.Packet;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A DNS message read from a buffer: header, questions and answers ({@code complete} when every
 * section parsed and ended exactly at the end of the message). Names follow compression
 * pointers with a bound on jumps, so a crafted loop ends in a parse error, not a hang.
 */
record DnsMessage(int id, int flags, int qdCount, int anCount, int nsCount, int arCount, List<String> questions,
                  List<String> questionTypes, List<String> answers, List<String> answerDetails, boolean complete, int length) {

    boolean response() {
        return (flags & 0x8000) != 0;
    }

    int opcode() {
        return (flags >> 11) & 0xF;
    }

    int rcode() {
        return flags & 0xF;
    }

    static final class Malformed extends Exception {
        Malformed(String why) {
            super(why, null, false, false);
        }
    }

    /**
     * Reads the header; returns null when not even the id and flags are there (a message cut
     * that short by the snaplen is no message). Sections are read as far as they are well-formed.
     */
    static DnsMessage parse(ByteBuffer b, int off, int len) {
        if (len < 4) return null;
        int id = u16(b, off);
        int flags = u16(b, off + 2);
        if (len < 12) return new DnsMessage(id, flags, 0, 0, 0, 0, List.of(), List.of(), List.of(), List.of(), false, len);
        int qdCount = u16(b, off + 4);
        int anCount = u16(b, off + 6);
        int nsCount = u16(b, off + 8);
        int arCount = u16(b, off + 10);
        List<String> questions = new ArrayList<>(1);
        List<String> questionTypes = new ArrayList<>(1);
        List<String> answers = new ArrayList<>(2);
        List<String> answerDetails = new ArrayList<>(2);
        int end = off + len;
        int p = off + 12;
        boolean complete;
        try {
            for (int i = 0; i < qdCount; i++) {
                StringBuilder name = new StringBuilder();
                p = readName(b, off, end, p, name);
                if (p + 4 > end) throw new Malformed("question cut short");
                int type = u16(b, p);
                p += 4;
                if (questions.size() < 32) {
                    questions.add(name.toString());
                    questionTypes.add(typeName(type));
                }
            }
            int records = anCount + nsCount + arCount;
            for (int i = 0; i < records; i++) {
                StringBuilder name = new StringBuilder();
                p = readName(b, off, end, p, name);
                if (p + 10 > end) throw new Malformed("record cut short");
                int type = u16(b, p);
                int rdlen = u16(b, p + 8);
                p += 10;
                if (p + rdlen > end) throw new Malformed("record data cut short");
                if (i < anCount && answers.size() < 64) {
                    String value = rdata(b, off, end, p, rdlen, type);
                    answers.add(value);
                    answerDetails.add(name + " " + typeName(type) + " " + value);
                }
                p += rdlen;
            }
            complete = p == end;
        } catch (Malformed e) {
            complete = false;
        }
        return new DnsMessage(id, flags, qdCount, anCount, nsCount, arCount, List.copyOf(questions), List.copyOf(questionTypes),
                List.copyOf(answers), List.copyOf(answerDetails), complete, len);
    }

    private static String rdata(ByteBuffer b, int msg, int end, int p, int len, int type) throws Malformed {
        switch (type) {
            case 1:
                if (len == 4) return (b.get(p) & 255) + "." + (b.get(p + 1) & 255) + "." + (b.get(p + 2) & 255) + "." + (b.get(p + 3) & 255);
                break;
            case 28:
                if (len == 16) return Packet.format(b.getLong(p), b.getLong(p + 8));
                break;
            case 2, 5, 12: {
                StringBuilder n = new StringBuilder();
                readName(b, msg, end, p, n);
                return n.toString();
            }
            case 15: {
                if (len < 3) break;
                StringBuilder n = new StringBuilder();
                readName(b, msg, end, p + 2, n);
                return u16(b, p) + " " + n;
            }
            case 6: { // SOA, as dig shows it: mname rname serial refresh retry expire minimum
                StringBuilder n = new StringBuilder();
                int q = readName(b, msg, end, p, n);
                n.append(' ');
                q = readName(b, msg, end, q, n);
                if (q + 20 > p + len) break;
                for (int i = 0; i < 5; i++) n.append(' ').append(Integer.toUnsignedLong(b.getInt(q + 4 * i)));
                return n.toString();
            }
            case 33: { // SRV: priority weight port target
                if (len < 7) break;
                StringBuilder n = new StringBuilder();
                n.append(u16(b, p)).append(' ').append(u16(b, p + 2)).append(' ').append(u16(b, p + 4)).append(' ');
                readName(b, msg, end, p + 6, n);
                return n.toString();
            }
            case 16: {
                StringBuilder t = new StringBuilder();
                int i = p;
                while (i < p + len) {
                    int l = b.get(i) & 255;
                    if (i + 1 + l > p + len) break;
                    for (int k = 0; k < l; k++) t.append((char) (b.get(i + 1 + k) & 255));
                    i += 1 + l;
                }
                return t.toString();
            }
            default:
        }
        return typeName(type) + "(" + len + " bytes)";
    }

    private static final ThreadLocal<byte[]> NAME = ThreadLocal.withInitial(() -> new byte[512]);

    /** Reads a (possibly compressed) name starting at {@code p}; returns the offset after it in the message. */
    static int readName(ByteBuffer b, int msg, int end, int p, StringBuilder out) throws Malformed {
        byte[] name = NAME.get(); // labels are gathered as bytes and become one string
        int n = 0;
        boolean plain = true;
        int after = -1;
        int jumps = 0;
        int total = 0;
        while (true) {
            if (p >= end) throw new Malformed("name runs past the message");
            int l = b.get(p) & 255;
            if (l == 0) {
                p++;
                break;
            }
            if ((l & 0xC0) == 0xC0) {
                if (p + 1 >= end) throw new Malformed("pointer cut short");
                int target = msg + (((l & 0x3F) << 8) | (b.get(p + 1) & 255));
                if (after < 0) after = p + 2;
                if (++jumps > 32 || target >= end) throw new Malformed("bad compression pointer");
                p = target;
                continue;
            }
            if ((l & 0xC0) != 0) throw new Malformed("bad label type");
            if (p + 1 + l > end) throw new Malformed("label runs past the message");
            total += l + 1;
            if (total > 255) throw new Malformed("name too long");
            if (n > 0) name[n++] = '.';
            b.get(p + 1, name, n, l);
            for (int k = n; k < n + l; k++) if (name[k] <= 32 || name[k] >= 127) plain = false;
            n += l;
            p += 1 + l;
        }
        if (n == 0) out.append('.');
        else if (plain) out.append(new String(name, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
        else {
            for (int k = 0; k < n; k++) {
                int c = name[k] & 255;
                if (c > 32 && c < 127) out.append((char) c);
                else out.append('\\').append((char) ('0' + c / 100)).append((char) ('0' + c / 10 % 10)).append((char) ('0' + c % 10));
            }
        }
        return after >= 0 ? after : p;
    }

    /** Whether a header could be DNS at all: small counts, a known opcode. */
    static boolean plausibleHeader(ByteBuffer b, int off, int len) {
        if (len < 12) return false;
        int flags = u16(b, off + 2);
        int opcode = (flags >> 11) & 0xF;
        if (opcode == 3 || opcode > 6) return false;
        if ((flags & 0x0040) != 0) return false; // the Z bit is zero
        int qd = u16(b, off + 4);
        int an = u16(b, off + 6);
        int ns = u16(b, off + 8);
        int ar = u16(b, off + 10);
        return qd <= 8 && an <= 256 && ns <= 256 && ar <= 256 && (qd > 0 || (flags & 0x8000) != 0);
    }

    static String typeName(int type) {
        return switch (type) {
            case 1 -> "A";
            case 2 -> "NS";
            case 5 -> "CNAME";
            case 6 -> "SOA";
            case 12 -> "PTR";
            case 13 -> "HINFO";
            case 15 -> "MX";
            case 16 -> "TXT";
            case 28 -> "AAAA";
            case 33 -> "SRV";
            case 35 -> "NAPTR";
            case 41 -> "OPT";
            case 43 -> "DS";
            case 46 -> "RRSIG";
            case 47 -> "NSEC";
            case 48 -> "DNSKEY";
            case 64 -> "SVCB";
            case 65 -> "HTTPS";
            case 99 -> "SPF";
            case 251 -> "IXFR";
            case 252 -> "AXFR";
            case 255 -> "ANY";
            case 257 -> "CAA";
            default -> "TYPE" + type;
        };
    }

    static String rcodeName(int rcode) {
        return switch (rcode) {
            case 0 -> "NOERROR";
            case 1 -> "FORMERR";
            case 2 -> "SERVFAIL";
            case 3 -> "NXDOMAIN";
            case 4 -> "NOTIMP";
            case 5 -> "REFUSED";
            case 6 -> "YXDOMAIN";
            case 7 -> "YXRRSET";
            case 8 -> "NXRRSET";
            case 9 -> "NOTAUTH";
            case 10 -> "NOTZONE";
            default -> "RCODE" + rcode;
        };
    }

    static int u16(ByteBuffer b, int i) {
        return b.getShort(i) & 0xFFFF;
    }
}
