package dev.trawl.functions.access;

import dev.trawl.core.access.Secrets;
import dev.trawl.functions.routes.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.core.DefaultOAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal;
import org.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException;
import org.springframework.security.oauth2.server.resource.introspection.OpaqueTokenIntrospector;

/**
 * The API tokens of {@code TRAWL_AUTH_TOKENS_FILE}: one line per token,
 * {@code <sha256 hex of the token> <role> <name>}, {@code #} starts a comment. Only hashes are
 * stored, so the file reveals no token; it is read again when it changes, so a token is added or
 * revoked without a restart. A bad line is logged (by number, never its content) and skipped.
 */
public final class TokenFile implements OpaqueTokenIntrospector {
    private static final Logger log = LoggerFactory.getLogger(TokenFile.class);

    record Entry(byte[] hash, Role role, String name) {}

    private final Path file;
    private volatile List<Entry> entries = List.of();
    private volatile FileTime loadedModified;
    private volatile long loadedSize = -1;

    public TokenFile(Path file) {
        this.file = file;
        reloadIfChanged();
        if (entries.isEmpty()) log.warn("{} holds no token: every request is refused until one is added", file);
    }

    /** The token's holder, or empty: every entry is compared, each in constant time, whichever matches. */
    public Optional<Entry> find(String token) {
        reloadIfChanged();
        byte[] presented = Secrets.sha256(token);
        Entry found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.hash(), presented) && found == null) found = e;
        }
        return Optional.ofNullable(found);
    }

    @Override
    public OAuth2AuthenticatedPrincipal introspect(String token) {
        Entry entry = find(token).orElseThrow(() -> new BadOpaqueTokenException("unknown token"));
        return new DefaultOAuth2AuthenticatedPrincipal(entry.name(),
                Map.of("sub", entry.name(), Callers.ROLE_ATTRIBUTE, entry.role().id(), Callers.METHOD_ATTRIBUTE, "token"),
                AuthorityUtils.createAuthorityList(Callers.authorities(entry.role())));
    }

    private void reloadIfChanged() {
        FileTime modified;
        long size;
        try {
            modified = Files.getLastModifiedTime(file);
            size = Files.size(file);
        } catch (IOException e) {
            if (!entries.isEmpty() || loadedSize != -2) log.warn("tokens file {} cannot be read ({}): every token is refused", file, e.getClass().getSimpleName());
            entries = List.of();
            loadedSize = -2;
            return;
        }
        if (modified.equals(loadedModified) && size == loadedSize) return;
        synchronized (this) {
            if (modified.equals(loadedModified) && size == loadedSize) return;
            try {
                entries = parse(Files.readAllLines(file, StandardCharsets.UTF_8));
                loadedModified = modified;
                loadedSize = size;
                log.info("tokens file {}: {} token(s)", file, entries.size());
            } catch (IOException e) {
                log.warn("tokens file {} cannot be read ({}): keeping the {} token(s) read before", file, e.getClass().getSimpleName(), entries.size());
            }
        }
    }

    List<Entry> parse(List<String> lines) {
        List<Entry> parsed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            if (hash >= 0) line = line.substring(0, hash);
            line = line.strip();
            if (line.isEmpty()) continue;
            String[] parts = line.split("\\s+", 3);
            Optional<Role> role = parts.length == 3 ? Callers.role(parts[1]) : Optional.empty();
            if (parts.length != 3 || !parts[0].matches("[0-9a-fA-F]{64}") || role.isEmpty()) {
                log.warn("tokens file {} line {} is not '<sha256 hex> <role> <name>': skipped", file, i + 1);
                continue;
            }
            parsed.add(new Entry(HexFormat.of().parseHex(parts[0].toLowerCase()), role.get(), parts[2].strip()));
        }
        return List.copyOf(parsed);
    }
}
