package dev.trawl.engine;

@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = p -> {};

    void onProgress(DissectionProgress progress);
}
