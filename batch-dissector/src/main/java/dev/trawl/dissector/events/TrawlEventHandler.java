package dev.trawl.dissector.events;

import dev.trawl.core.Names;
import dev.trawl.core.events.TrawlEvents;
import dev.trawl.dissector.job.DissectionLauncher;
import dev.trawl.dissector.realtime.RealtimeDissector;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the dissector does with each trawl event, whichever way it arrived (HTTP or a JobSink
 * file): a dissection request starts the job, a cancel stops it, an upload is dissected into
 * {@code realtime}.
 */
public final class TrawlEventHandler {
    private static final Logger log = LoggerFactory.getLogger(TrawlEventHandler.class);

    private final DissectionLauncher launcher;
    private final RealtimeDissector realtime;

    public TrawlEventHandler(DissectionLauncher launcher, RealtimeDissector realtime) {
        this.launcher = launcher;
        this.realtime = realtime;
    }

    /** Starts the work the event asks for; the future completes when it is done. */
    public CompletableFuture<?> handle(String type, Map<String, Object> data) {
        switch (type) {
            case TrawlEvents.DISSECTION_REQUESTED -> {
                return launcher.submit(field(data, "snapshot"), field(data, "name"));
            }
            case TrawlEvents.DISSECTION_CANCELLED -> {
                boolean here = launcher.cancel(field(data, "snapshot"), field(data, "name"));
                return CompletableFuture.completedFuture(here);
            }
            case TrawlEvents.PCAP_UPLOADED -> {
                return realtime.submit(field(data, "node"), field(data, "key"));
            }
            default -> {
                log.info("ignoring event of type {}", type);
                return CompletableFuture.completedFuture(null);
            }
        }
    }

    public static boolean handles(String type) {
        return TrawlEvents.DISSECTION_REQUESTED.equals(type) || TrawlEvents.DISSECTION_CANCELLED.equals(type)
                || TrawlEvents.PCAP_UPLOADED.equals(type);
    }

    private static String field(Map<String, Object> data, String name) {
        Object v = data.get(name);
        if (!(v instanceof String s)) throw new IllegalArgumentException("event data has no string field '" + name + "'");
        if (!name.equals("key")) Names.require(name.equals("name") ? "dissection" : name, s);
        return s;
    }
}
