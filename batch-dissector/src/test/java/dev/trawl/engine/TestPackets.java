package dev.trawl.engine;

import dev.trawl.core.pcap.PcapWriter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds Ethernet/IPv4 frames (TCP and UDP) for synthetic captures: the unit tests' precise
 * segment orders, and the benchmark's large generated traffic. Checksums are left zero; nothing
 * here (nor tshark by default) verifies them.
 */
public final class TestPackets {
    public static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

    private TestPackets() {}

    public static int ip(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    public static byte[] tcp(int src, int sport, int dst, int dport, int seq, int ack, int flags, byte[] data, int off, int len) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20 + len);
        ethernet(b);
        ipv4(b, src, dst, 6, 20 + len);
        b.putShort((short) sport).putShort((short) dport).putInt(seq).putInt(ack);
        b.put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        b.put(data, off, len);
        return b.array();
    }

    public static byte[] udp(int src, int sport, int dst, int dport, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + data.length);
        ethernet(b);
        ipv4(b, src, dst, 17, 8 + data.length);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + data.length)).putShort((short) 0);
        b.put(data);
        return b.array();
    }

    private static void ethernet(ByteBuffer b) {
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
    }

    private static void ipv4(ByteBuffer b, int src, int dst, int proto, int payload) {
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload)).putShort((short) 0).putShort((short) 0x4000);
        b.put((byte) 64).put((byte) proto).putShort((short) 0).putInt(src).putInt(dst);
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /** One TCP connection written segment by segment, with sequence numbers kept for both sides. */
    public static final class Flow {
        private final PcapWriter out;
        private final int client, server, cport, sport;
        private int cseq, sseq;
        public int mss = 1448;

        public Flow(PcapWriter out, int client, int cport, int server, int sport, int cisn, int sisn) {
            this.out = out;
            this.client = client;
            this.server = server;
            this.cport = cport;
            this.sport = sport;
            this.cseq = cisn;
            this.sseq = sisn;
        }

        public Flow handshake(long ts) throws IOException {
            out.write(ts, tcp(client, cport, server, sport, cseq, 0, SYN, new byte[0], 0, 0));
            out.write(ts + 1000, tcp(server, sport, client, cport, sseq, cseq + 1, SYN | ACK, new byte[0], 0, 0));
            cseq++;
            sseq++;
            out.write(ts + 2000, tcp(client, cport, server, sport, cseq, sseq, ACK, new byte[0], 0, 0));
            return this;
        }

        /** Sends bytes from one side in MSS-sized segments, each acknowledged by the other side every other segment. */
        public Flow send(boolean fromClient, byte[] data, long ts) throws IOException {
            int n = 0;
            for (int off = 0; off < data.length; off += mss) {
                int len = Math.min(mss, data.length - off);
                segment(fromClient, data, off, len, ts + n * 10L, PSH | ACK);
                if ((++n & 1) == 0 || off + len == data.length) ack(!fromClient, ts + n * 10L + 5);
            }
            return this;
        }

        public void segment(boolean fromClient, byte[] data, int off, int len, long ts, int flags) throws IOException {
            if (fromClient) {
                out.write(ts, tcp(client, cport, server, sport, cseq, sseq, flags, data, off, len));
                cseq += len;
            } else {
                out.write(ts, tcp(server, sport, client, cport, sseq, cseq, flags, data, off, len));
                sseq += len;
            }
        }

        /** A segment at an explicit sequence offset from the side's current position, without moving it. */
        public void segmentAt(boolean fromClient, int relSeq, byte[] data, int off, int len, long ts) throws IOException {
            if (fromClient) out.write(ts, tcp(client, cport, server, sport, cseq + relSeq, sseq, PSH | ACK, data, off, len));
            else out.write(ts, tcp(server, sport, client, cport, sseq + relSeq, cseq, PSH | ACK, data, off, len));
        }

        public void advance(boolean fromClient, int n) {
            if (fromClient) cseq += n;
            else sseq += n;
        }

        public void ack(boolean fromClient, long ts) throws IOException {
            if (fromClient) out.write(ts, tcp(client, cport, server, sport, cseq, sseq, ACK, new byte[0], 0, 0));
            else out.write(ts, tcp(server, sport, client, cport, sseq, cseq, ACK, new byte[0], 0, 0));
        }

        public void fin(long ts) throws IOException {
            out.write(ts, tcp(client, cport, server, sport, cseq, sseq, FIN | ACK, new byte[0], 0, 0));
            cseq++;
            out.write(ts + 1000, tcp(server, sport, client, cport, sseq, cseq, FIN | ACK, new byte[0], 0, 0));
            sseq++;
            out.write(ts + 2000, tcp(client, cport, server, sport, cseq, sseq, ACK, new byte[0], 0, 0));
        }
    }
}
