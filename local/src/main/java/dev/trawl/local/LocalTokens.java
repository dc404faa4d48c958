package dev.trawl.local;

import dev.trawl.core.access.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * {@code ./trawl up --auth}: an admin API token in {@code <data>/admin.token} and its hash in the
 * tokens file {@code <data>/tokens} (both readable by the owner only). A second start keeps both,
 * so the token written down before still works; lines added to the tokens file by hand stay.
 */
final class LocalTokens {
    static final String ADMIN_TOKEN = "admin.token";
    static final String TOKENS = "tokens";
    static final String ADMIN_NAME = "local-admin";

    private LocalTokens() {}

    /** The tokens file, with the admin token's line in it. */
    static Path prepare(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path tokenFile = dataDir.resolve(ADMIN_TOKEN);
        if (!Files.exists(tokenFile)) writeOwnerOnly(tokenFile, "trawl_" + Secrets.generate() + "\n");
        String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        Path tokens = dataDir.resolve(TOKENS);
        String line = Secrets.sha256Hex(token) + " admin " + ADMIN_NAME;
        if (!Files.exists(tokens)) {
            writeOwnerOnly(tokens, "# <sha256 hex of a token> <role: viewer|analyst|operator|admin> <name>   (docs/security.md)\n" + line + "\n");
        } else {
            List<String> lines = Files.readAllLines(tokens, StandardCharsets.UTF_8);
            if (!lines.contains(line)) Files.writeString(tokens, line + "\n", StandardOpenOption.APPEND);
        }
        return tokens;
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
