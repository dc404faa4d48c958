package dev.trawl.engine.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class HpackDecoderTest {
    private static ByteBuffer hex(String s) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(s.replace(" ", "")));
    }

    @Test
    void decodesTheRfcRequestSequenceWithHuffmanAndTheDynamicTable() throws Exception {
        // RFC 7541 C.4.1 to C.4.3: three requests on one connection
        HpackDecoder d = new HpackDecoder();
        assertThat(d.decode(hex("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"))).containsExactly(
                new Header(":method", "GET"), new Header(":scheme", "http"), new Header(":path", "/"),
                new Header(":authority", "www.example.com"));
        assertThat(d.decode(hex("8286 84be 5886 a8eb 1064 9cbf"))).containsExactly(
                new Header(":method", "GET"), new Header(":scheme", "http"), new Header(":path", "/"),
                new Header(":authority", "www.example.com"), new Header("cache-control", "no-cache"));
        List<Header> third = d.decode(hex("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"));
        assertThat(third).containsExactly(
                new Header(":method", "GET"), new Header(":scheme", "https"), new Header(":path", "/index.html"),
                new Header(":authority", "www.example.com"), new Header("custom-key", "custom-value"));
        assertThat(d.dynamicTableSize()).isEqualTo(164);
    }

    @Test
    void evictsOldEntriesWhenTheTableIsFull() throws Exception {
        // RFC 7541 C.6.1/C.6.2: responses with a 256-byte table
        HpackDecoder d = new HpackDecoder();
        d.decode(hex("3fe1 01")); // size update to 256
        d.decode(hex("4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6"
                + " 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3"));
        List<Header> second = d.decode(hex("4883 640e ffc1 c0bf"));
        assertThat(second).containsExactly(new Header(":status", "307"),
                new Header("cache-control", "private"), new Header("date", "Mon, 21 Oct 2013 20:13:21 GMT"),
                new Header("location", "https://www.example.com"));
        assertThat(d.dynamicTableSize()).isEqualTo(222);
    }

    @Test
    void refusesReferencesToEntriesItNeverSaw() {
        assertThatThrownBy(() -> new HpackDecoder().decode(hex("be"))).isInstanceOf(HpackException.class)
                .hasMessageContaining("beyond the dynamic table");
    }

    @Test
    void refusesTruncatedStringsAndHugeIntegers() {
        assertThatThrownBy(() -> new HpackDecoder().decode(hex("408a 9aca"))).isInstanceOf(HpackException.class);
        assertThatThrownBy(() -> new HpackDecoder().decode(hex("3fffffffffff0f"))).isInstanceOf(HpackException.class);
        assertThatThrownBy(() -> new HpackDecoder().decode(hex("3fe1ff07"))).isInstanceOf(HpackException.class)
                .hasMessageContaining("table size");
    }
}
