package dev.trawl.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;

/**
 * The local stack's passwords, generated on the first start into {@code <data>/secrets.env}
 * (owner-only, in the {@code NAME=value} form a shell can source) and found there again on every
 * later start. A variable set in the environment wins over the file. The summary names the file,
 * never a value.
 */
final class LocalSecrets {
    static final String FILE = "secrets.env";

    private final Path file;
    private final Map<String, String> values;

    private LocalSecrets(Path file, Map<String, String> values) {
        this.file = file;
        this.values = values;
    }

    /** The secrets of {@code dataDir}: {@code names} read from the environment, the file, or generated. */
    static LocalSecrets load(Path dataDir, Function<String, String> env, String... names) {
        Path file = dataDir.resolve(FILE);
        Properties stored = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                stored.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        boolean generated = false;
        for (String name : names) {
            String value = env.apply(name);
            if (value == null || value.isEmpty()) value = stored.getProperty(name);
            if (value == null || value.isEmpty()) {
                value = generate();
                generated = true;
            }
            values.put(name, value);
        }
        LocalSecrets secrets = new LocalSecrets(file, values);
        if (generated || !Files.isRegularFile(file)) secrets.save();
        return secrets;
    }

    String get(String name) {
        return values.get(name);
    }

    Path file() {
        return file;
    }

    private void save() {
        StringBuilder text = new StringBuilder("# trawl's local passwords: source this file (. ").append(file.getFileName())
                .append(") to use them; delete it to have new ones generated\n");
        values.forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
        try {
            Path tmp = Files.createTempFile(file.getParent(), FILE, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** 128 random bits as hex: safe in a URL, a shell and a properties file as it is. */
    private static String generate() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
