package dev.trawl.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The trawl stacks running on this machine for this user, and the ports each listens on: one file
 * per stack, {@code <pid>.ports}, in {@code TRAWL_STACKS_DIR} (default
 * {@code ${XDG_CACHE_HOME:-~/.cache}/trawl/stacks}). A live capture reads it to leave out every
 * stack's traffic, not only its own, so stacks side by side never capture each other; a file whose
 * process is gone is ignored and removed.
 */
public final class LocalStacks {
    private final Path directory;

    private LocalStacks(Path directory) {
        this.directory = directory;
    }

    /** The registry {@code env} names, or the per-user default. */
    public static LocalStacks from(Function<String, String> env) {
        String dir = env.apply("TRAWL_STACKS_DIR");
        if (dir != null && !dir.isBlank()) return new LocalStacks(Path.of(dir));
        String cache = env.apply("XDG_CACHE_HOME");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache");
        return new LocalStacks(base.resolve("trawl").resolve("stacks"));
    }

    /** Records this process's {@code ports} until the returned handle is closed. */
    public AutoCloseable register(Collection<Integer> ports) {
        Path file = directory.resolve(ProcessHandle.current().pid() + ".ports");
        try {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path tmp = Files.createTempFile(directory, "stack", ".tmp");
            Files.writeString(tmp, ports.stream().map(String::valueOf).collect(Collectors.joining(",")) + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record this stack's ports in " + directory, e);
        }
        return () -> Files.deleteIfExists(file);
    }

    /** Every port a running stack listens on. */
    public Set<Integer> ports() {
        Set<Integer> ports = new TreeSet<>();
        if (!Files.isDirectory(directory)) return ports;
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".ports")).toList()) {
                String name = file.getFileName().toString();
                long pid;
                try {
                    pid = Long.parseLong(name.substring(0, name.length() - ".ports".length()));
                } catch (NumberFormatException stranger) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    read(file, ports);
                } else {
                    Files.deleteIfExists(file); // a stack that did not stop cleanly
                }
            }
        } catch (IOException e) {
            // the registry is a courtesy between stacks: unreadable, it leaves out nothing more
        }
        return ports;
    }

    private static void read(Path file, Set<Integer> into) {
        try {
            for (String p : Files.readString(file, StandardCharsets.US_ASCII).strip().split(",")) {
                if (p.matches("\\d{1,5}")) into.add(Integer.parseInt(p));
            }
        } catch (IOException goneMeanwhile) {
            // stopped between the listing and the read
        }
    }
}
