package dev.trawl.engine;

/** Where a dissection is: reported after each source and every few MB within one. */
public record DissectionProgress(String source, int sourceIndex, int sourceCount, long sourceBytesDone, long sourceBytesTotal,
                                 long bytesDone, long packets, long entries) {
}
