package dev.trawl.engine.dns;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DnsMessageTest {

    @Test
    void srvAndSoaAnswersReadAsDigShowsThem() {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(new byte[] {0x12, 0x34, (byte) 0x81, (byte) 0x80, 0, 1, 0, 2, 0, 0, 0, 0});
        m.writeBytes(name("_http._tcp.svc.test"));
        m.writeBytes(new byte[] {0, 33, 0, 1});
        // SRV 10 5 8080 web.svc.test, its owner a pointer to the question's name (offset 12)
        byte[] target = name("web.svc.test");
        m.writeBytes(record(33, ByteBuffer.allocate(6 + target.length).putShort((short) 10).putShort((short) 5)
                .putShort((short) 8080).put(target).array()));
        byte[] mname = name("ns1.svc.test");
        byte[] rname = name("admin.svc.test");
        m.writeBytes(record(6, ByteBuffer.allocate(mname.length + rname.length + 20).put(mname).put(rname)
                .putInt((int) 4_000_000_000L).putInt(3600).putInt(600).putInt(86400).putInt(60).array()));
        byte[] msg = m.toByteArray();

        DnsMessage d = DnsMessage.parse(ByteBuffer.wrap(msg), 0, msg.length);

        assertThat(d.complete()).isTrue();
        assertThat(d.answers()).containsExactly("10 5 8080 web.svc.test", "ns1.svc.test admin.svc.test 4000000000 3600 600 86400 60");
    }

    private static byte[] record(int type, byte[] rdata) {
        return ByteBuffer.allocate(12 + rdata.length).putShort((short) 0xC00C).putShort((short) type).putShort((short) 1)
                .putInt(300).putShort((short) rdata.length).put(rdata).array();
    }

    private static byte[] name(String dotted) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (String label : dotted.split("\\.")) {
            o.write(label.length());
            o.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        o.write(0);
        return o.toByteArray();
    }
}
