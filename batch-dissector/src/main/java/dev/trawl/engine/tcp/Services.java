package dev.trawl.engine.tcp;

import dev.trawl.engine.DissectionOptions;
import dev.trawl.engine.Entry;
import dev.trawl.engine.ProtocolRegistry;
import dev.trawl.engine.packet.AddressCache;

/** What the TCP layer needs from the dissection that owns it. */
public interface Services {
    String node();

    String source();

    DissectionOptions options();

    ProtocolRegistry registry();

    AddressCache addresses();

    /** Gives the entry its id (from {@code idKey} and the node) and hands it to the sink. */
    void emit(Entry.Builder entry, String idKey);

    void count(String protocol, String counter);

    void damage(String kind, String detail);
}
