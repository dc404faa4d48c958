package dev.trawl.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** chDB in this JVM, for real: the engine, its pool, stream insert, and the JVM staying sound. */
class ChdbTest {
    @TempDir static Path dir;
    static Chdb chdb;

    @BeforeAll
    static void open() {
        chdb = Chdb.open(dir.resolve("ch"));
    }

    @AfterAll
    static void close() {
        chdb.close();
    }

    @Test
    void answersAQuery() {
        assertThat(chdb.query("SELECT 1 + 1").text()).isEqualTo("2\n");
        assertThat(chdb.version()).matches("\\d+\\.\\d+.*");
    }

    @Test
    void implicitNullChecksStillBecomeNullPointerExceptions() {
        chdb.query("SELECT 1");
        assertThat(ChdbLibrary.loaded()).isTrue();
        // Enough calls for the JIT to compile the dereference into an implicit (SIGSEGV-based) null check.
        int npes = 0;
        for (int i = 0; i < 200_000; i++) {
            try {
                npes += length(i % 1000 == 0 ? null : "x");
            } catch (NullPointerException expected) {
                npes++;
            }
        }
        assertThat(npes).isEqualTo(200);
        String nothing = null;
        assertThatThrownBy(() -> nothing.length()).isInstanceOf(NullPointerException.class);
    }

    private static int length(String s) {
        return s.length() > 5 ? 1 : 0;
    }

    @Test
    void garbageIsStillCollected() throws Exception {
        chdb.query("SELECT 1");
        Object garbage = new byte[64 << 20];
        WeakReference<Object> ref = new WeakReference<>(garbage);
        garbage = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<byte[]> pressure = new ArrayList<>();
        while (ref.get() != null && System.nanoTime() < deadline) {
            System.gc();
            pressure.add(new byte[1 << 20]);
            if (pressure.size() > 64) pressure.clear();
            Thread.sleep(10);
        }
        assertThat(ref.get()).isNull();
    }

    @Test
    void twoQueriesRunAtOnce() throws Exception {
        chdb.withConnection(a -> chdb.withConnection(b -> 0)); // two connections made before timing
        var threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        long start = System.nanoTime();
        var a = CompletableFuture.supplyAsync(() -> chdb.withConnection(c -> c.query("SELECT sleep(1), 'a'", "TSV", Map.of()).text()), threads);
        var b = CompletableFuture.supplyAsync(() -> chdb.withConnection(c -> c.query("SELECT sleep(1), 'b'", "TSV", Map.of()).text()), threads);
        threads.shutdown();
        assertThat(a.get(30, TimeUnit.SECONDS)).isEqualTo("0\ta\n");
        assertThat(b.get(30, TimeUnit.SECONDS)).isEqualTo("0\tb\n");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(seconds).as("two 1 s queries in parallel").isLessThan(1.9);
    }

    @Test
    void streamInsertTakesBinaryRowsInChunks() {
        chdb.query("CREATE TABLE stream_insert (n UInt32, s String) ENGINE = MergeTree ORDER BY n");
        // RowBinary: UInt32 little-endian, String as LEB128 length + bytes. The strings hold blank
        // lines and NULs, which SQL text could not carry.
        ByteArrayOutputStream rows = new ByteArrayOutputStream();
        int count = 50_000;
        for (int i = 0; i < count; i++) {
            rows.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(i).array());
            byte[] s = ("row\n\n" + i + "\0").getBytes(StandardCharsets.UTF_8);
            rows.write(s.length);
            rows.writeBytes(s);
        }
        byte[] data = rows.toByteArray();
        ChdbResult written = chdb.withConnection(c -> {
            try (var insert = c.insert("INSERT INTO stream_insert (n, s)", "RowBinary", Map.of())) {
                for (int off = 0; off < data.length; off += 7_777) insert.append(data, off, Math.min(7_777, data.length - off));
                return insert.done();
            }
        });
        assertThat(written.rowsWritten()).isEqualTo(count);
        assertThat(chdb.query("SELECT count(), sum(n), countIf(s = concat('row\\n\\n', toString(n), '\\0')) FROM stream_insert").text())
                .isEqualTo(count + "\t" + ((long) count * (count - 1) / 2) + "\t" + count + "\n");
    }

    @Test
    void streamInsertOfBadDataFailsAndLosesNothingAlreadyThere() {
        chdb.query("CREATE TABLE bad_insert (n UInt32) ENGINE = MergeTree ORDER BY n");
        chdb.query("INSERT INTO bad_insert VALUES (1)");
        assertThatThrownBy(() -> chdb.withConnection(c -> {
            try (var insert = c.insert("INSERT INTO bad_insert", "JSONEachRow", Map.of())) {
                byte[] bad = "{\"n\": \"not a number\"}\n".getBytes(StandardCharsets.UTF_8);
                insert.append(bad, 0, bad.length);
                return insert.done();
            }
        })).isInstanceOf(ChdbException.class).hasMessageContaining("Code:");
        assertThat(chdb.query("SELECT count() FROM bad_insert").text()).isEqualTo("1\n");
        // the connection is usable after the failure
        assertThat(chdb.query("SELECT 2").text()).isEqualTo("2\n");
    }

    @Test
    void errorsCarryClickHouseCodes() {
        assertThatThrownBy(() -> chdb.query("SELECT * FROM no_such_table"))
                .isInstanceOfSatisfying(ChdbException.class, e -> {
                    assertThat(e.code()).isEqualTo(60);
                    assertThat(e.getMessage()).contains("no_such_table");
                });
    }

    @Test
    void streamingQueryFetchesInChunks() {
        long total = 0;
        int chunks = 0;
        try (var lease = chdb.lease(); var stream = lease.connection().stream("SELECT number FROM numbers(3000000)", "RowBinary", Map.of())) {
            byte[] chunk;
            while ((chunk = stream.next()) != null) {
                total += chunk.length;
                chunks++;
            }
        }
        assertThat(total).isEqualTo(3_000_000L * 8);
        assertThat(chunks).isGreaterThan(1);
    }

    @Test
    void queryParametersAreBoundNotPasted() {
        String text = chdb.withConnection(c -> c.query("SELECT {s:String}, {n:UInt8} + 1", "TSV", Map.of("s", "it's; DROP", "n", "41")).text());
        assertThat(text).isEqualTo("it\\'s; DROP\t42\n");
    }

    @Test
    void anotherDataDirectoryIsRefusedWhileOneIsOpen() {
        assertThatThrownBy(() -> Chdb.open(dir.resolve("other"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("one data directory per process");
    }
}
