package dev.trawl.dissect;

@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = p -> {};

    void onProgress(DissectionProgress progress);
}
