package dev.trawl.engine.flow;

/** Where finished flows go; called on the dissecting thread. */
@FunctionalInterface
public interface FlowSink {
    FlowSink NONE = flow -> {};

    void accept(Flow flow);
}
