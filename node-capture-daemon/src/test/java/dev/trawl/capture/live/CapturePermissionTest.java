package dev.trawl.capture.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.jna.NativeLibrary;
import org.junit.jupiter.api.Test;

class CapturePermissionTest {

    @Test
    void aMissingLibpcapIsOneShortPlainLine() {
        // what JNA throws when libpcap is not installed: its message lists every path it searched
        Throwable missing = catchThrowable(() -> NativeLibrary.getInstance("trawl-no-such-pcap"));
        assertThat(missing).isInstanceOf(UnsatisfiedLinkError.class);
        assertThat(missing.getMessage()).contains("trawl-no-such-pcap").hasSizeGreaterThan(300);

        for (Throwable seen : new Throwable[] {missing, new NoClassDefFoundError("Could not initialize class org.pcap4j.core.NativeMappings")}) {
            String reason = CapturePermission.reason("eth0", seen);
            assertThat(reason).contains("libpcap").hasSizeLessThan(120).doesNotContain("\n").doesNotContain(".jar").doesNotContain("/");
        }
    }

    @Test
    void libpcapsOwnRefusalKeepsItsFirstLine() {
        String reason = CapturePermission.reason("eth0",
                new org.pcap4j.core.PcapNativeException("eth0: You don't have permission to perform this capture on that device\nsecond line"));
        assertThat(reason).isEqualTo("libpcap cannot open eth0: eth0: You don't have permission to perform this capture on that device");
    }
}
