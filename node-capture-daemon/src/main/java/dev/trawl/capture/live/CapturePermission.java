package dev.trawl.capture.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.pcap4j.core.PcapHandle;

/**
 * Whether this process may capture live: it needs root or CAP_NET_RAW (bit 13 of the effective
 * capabilities) and libpcap must open the device. The answer carries the reason either way, so
 * the daemon can say why it captures or replays.
 */
public final class CapturePermission {
    private static final int CAP_NET_RAW = 13;

    private CapturePermission() {}

    public record Decision(boolean live, String reason) {}

    public static Decision check(String device, int snaplen) {
        Optional<Long> caps = effectiveCapabilities();
        boolean netRaw = caps.map(c -> (c & (1L << CAP_NET_RAW)) != 0).orElse(false);
        if (caps.isPresent() && !netRaw) {
            return new Decision(false, "no CAP_NET_RAW (effective capabilities " + Long.toHexString(caps.get()) + ")");
        }
        try (PcapHandle h = LiveCapture.open(device, snaplen, 1 << 20)) {
            return new Decision(true, "libpcap opened " + device + (netRaw ? " (CAP_NET_RAW)" : ""));
        } catch (Throwable e) {
            return new Decision(false, reason(device, e));
        }
    }

    /**
     * Why libpcap did not open the device, in one short line. When libpcap itself is missing, JNA's
     * message lists every place it searched, the whole class path among them (kilobytes): the
     * reason is only that the library could not be loaded.
     */
    static String reason(String device, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnsatisfiedLinkError || t instanceof NoClassDefFoundError) {
                return "libpcap cannot be loaded (is it installed?)";
            }
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        return "libpcap cannot open " + device + ": " + (message.length() > 200 ? message.substring(0, 200) + "..." : message);
    }

    /** CapEff from /proc/self/status; empty where there is no such file (not Linux). */
    static Optional<Long> effectiveCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) return Optional.of(Long.parseUnsignedLong(line.substring(7).trim(), 16));
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return Optional.empty();
    }
}
