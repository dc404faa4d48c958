package dev.trawl.engine.testing;

import dev.trawl.core.pcap.PcapWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes one TCP conversation (handshake unless {@link #midStream}, the given segments, FIN) as raw IPv4 packets, for
 * protocol flows no shared capture has. tshark reads the result, so tests can check it against
 * tshark too.
 */
public final class SyntheticTcp implements AutoCloseable {
    private static final int SYN = 0x02, ACK = 0x10, PSH = 0x08, FIN = 0x01;
    private final OutputStream out;
    private final PcapWriter writer;
    private final int clientPort;
    private final int serverPort;
    private long clientSeq = 1000;
    private long serverSeq = 5000;
    private long nanos = 1_700_000_000_000_000_000L;

    public SyntheticTcp(Path file, int clientPort, int serverPort) throws IOException {
        this(file, clientPort, serverPort, true);
    }

    private SyntheticTcp(Path file, int clientPort, int serverPort, boolean handshake) throws IOException {
        this.out = Files.newOutputStream(file);
        this.writer = new PcapWriter(out, PcapWriter.LINKTYPE_RAW, false);
        this.clientPort = clientPort;
        this.serverPort = serverPort;
        if (handshake) {
            packet(true, SYN, new byte[0]);
            clientSeq++;
            packet(false, SYN | ACK, new byte[0]);
            serverSeq++;
            packet(true, ACK, new byte[0]);
        }
    }

    /** A conversation whose start was not captured: no handshake says which side is the client. */
    public static SyntheticTcp midStream(Path file, int clientPort, int serverPort) throws IOException {
        return new SyntheticTcp(file, clientPort, serverPort, false);
    }

    /** One segment from the client (true) or the server. */
    public SyntheticTcp send(boolean fromClient, byte[] payload) throws IOException {
        packet(fromClient, PSH | ACK, payload);
        if (fromClient) {
            clientSeq += payload.length;
        } else {
            serverSeq += payload.length;
        }
        return this;
    }

    private void packet(boolean fromClient, int flags, byte[] payload) throws IOException {
        nanos += 1_000_000;
        ByteBuffer p = ByteBuffer.allocate(40 + payload.length);
        p.put((byte) 0x45).put((byte) 0).putShort((short) (40 + payload.length)).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 6).putShort((short) 0);
        byte[] client = {10, 0, 0, 1};
        byte[] server = {10, 0, 0, 2};
        p.put(fromClient ? client : server).put(fromClient ? server : client);
        p.putShort(10, checksum(p.array(), 0, 20));
        p.putShort((short) (fromClient ? clientPort : serverPort)).putShort((short) (fromClient ? serverPort : clientPort));
        p.putInt((int) (fromClient ? clientSeq : serverSeq)).putInt((int) ((flags & ACK) != 0 ? (fromClient ? serverSeq : clientSeq) : 0));
        p.put((byte) 0x50).put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
        p.put(payload);
        writer.write(nanos, p.array());
    }

    private static short checksum(byte[] b, int off, int len) {
        long sum = 0;
        for (int i = off; i < off + len; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (i + 1 < off + len ? b[i + 1] & 0xff : 0);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }

    @Override
    public void close() throws IOException {
        packet(true, FIN | ACK, new byte[0]);
        packet(false, FIN | ACK, new byte[0]);
        writer.close();
        out.close();
    }
}
