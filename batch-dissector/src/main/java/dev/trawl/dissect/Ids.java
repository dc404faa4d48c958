package dev.trawl.dissect;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Deterministic entry ids: the first 16 bytes of SHA-256 over what identifies a transaction
 * (node, connection, its first packet's time, the transaction's index in it), as hex. The
 * same input dissected again gives the same ids, so ClickHouse's ReplacingMergeTree folds a
 * re-run instead of doubling it.
 */
public final class Ids {
    private final MessageDigest sha;

    public Ids() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String of(String key) {
        byte[] d = sha.digest(key.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d, 0, 16);
    }
}
