package dev.trawl.embedded.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChdbLibraryTest {
    @TempDir Path dir;

    @Test
    void theCacheIsPerVersionUnderXdgCacheHome() {
        assertThat(ChdbLibrary.cacheDir(Map.of("XDG_CACHE_HOME", "/c")::get)).isEqualTo(Path.of("/c/trawl/chdb", ChdbLibrary.VERSION));
        assertThat(ChdbLibrary.cacheDir(Map.<String, String>of()::get))
                .isEqualTo(Path.of(System.getProperty("user.home"), ".cache", "trawl", "chdb", ChdbLibrary.VERSION));
    }

    @Test
    void anExplicitLibraryPathMustExist() {
        assertThatThrownBy(() -> ChdbLibrary.locate(Map.of("TRAWL_CHDB_LIB", dir.resolve("none.so").toString())::get))
                .hasMessageContaining("TRAWL_CHDB_LIB").hasMessageContaining("is not a file");
    }

    @Test
    void withoutNpmTheErrorSaysWhatToDo() {
        assertThatThrownBy(() -> ChdbLibrary.fetch(dir.resolve("cache"), "npm-is-not-installed-here"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("npm was not found")
                .hasMessageContaining("TRAWL_CLICKHOUSE_URL");
        assertThat(dir.resolve("cache/libchdb.so")).doesNotExist();
    }

    @Test
    void extractsTheLibraryFromAnNpmTarball() throws Exception {
        Path pkg = Files.createDirectories(dir.resolve("src/package"));
        Files.writeString(pkg.resolve("package.json"), "{}");
        byte[] lib = new byte[70_000];
        for (int i = 0; i < lib.length; i++) lib[i] = (byte) (i * 31);
        Files.write(pkg.resolve("libchdb.so"), lib);
        Path tgz = dir.resolve("p.tgz");
        Process tar = new ProcessBuilder("tar", "czf", tgz.toString(), "-C", dir.resolve("src").toString(), "package").inheritIO().start();
        assertThat(tar.waitFor()).isZero();
        Path out = dir.resolve("out.so");
        ChdbLibrary.extract(tgz, "package/libchdb.so", out);
        assertThat(Files.readAllBytes(out)).isEqualTo(lib);
        assertThatThrownBy(() -> ChdbLibrary.extract(tgz, "package/missing.so", dir.resolve("x"))).hasMessageContaining("has no package/missing.so");
    }
}
