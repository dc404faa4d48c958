package dev.trawl.core.events;

/**
 * trawl's CloudEvent types (CloudEvents 1.0, binary HTTP mode, JSON data). The Triggers in
 * {@code knative/} filter on these; the local router reads the same Triggers.
 */
public final class TrawlEvents {
    public static final String PCAP_UPLOADED = "dev.trawl.pcap.uploaded";
    public static final String SNAPSHOT_REQUESTED = "dev.trawl.snapshot.requested";
    public static final String DISSECTION_REQUESTED = "dev.trawl.dissection.requested";
    public static final String DISSECTION_CANCELLED = "dev.trawl.dissection.cancelled";

    /** CloudEvent source of a component: {@code /trawl/<component>}. */
    public static String source(String component) {
        return "/trawl/" + component;
    }

    private TrawlEvents() {}
}
