package dev.trawl.functions.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.Client;
import dev.trawl.core.clickhouse.ClickHouseSettings;
import dev.trawl.functions.calls.TestClickHouse;
import java.time.Duration;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The shared client on the embedded ClickHouse: queries side by side, made once, tried again. */
class SharedClickHouseTest {

    private static Client realClient() {
        return ClickHouseSettings.from(TestClickHouse.env()::get).client();
    }

    private static String one(Client client) {
        return client.queryAll("SELECT 1").getFirst().getString(1);
    }

    /** Two queries meet inside {@code with}: were it one at a time, the second could not enter until the first gave up waiting. */
    @Test
    void queriesRunSideBySide() throws Exception {
        try (SharedClickHouse shared = new SharedClickHouse(ClickHouseSettings.from(TestClickHouse.env()::get));
                var pool = Executors.newFixedThreadPool(2)) {
            CyclicBarrier bothInside = new CyclicBarrier(2);
            Future<String> a = pool.submit(() -> shared.with(c -> meet(bothInside, c)));
            Future<String> b = pool.submit(() -> shared.with(c -> meet(bothInside, c)));
            assertThat(a.get(120, TimeUnit.SECONDS)).isEqualTo("1");
            assertThat(b.get(120, TimeUnit.SECONDS)).isEqualTo("1");
        }
    }

    private static String meet(CyclicBarrier barrier, Client client) {
        try {
            barrier.await(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the other query never ran at the same time", e);
        }
        return one(client);
    }

    @Test
    void isMadeOnceAfterFailedAttempts() {
        AtomicInteger attempts = new AtomicInteger();
        Supplier<Client> connect = () -> {
            if (attempts.incrementAndGet() < 3) throw new IllegalStateException("connection refused");
            return realClient();
        };
        try (SharedClickHouse shared = new SharedClickHouse(connect, 3, Duration.ofMillis(10))) {
            assertThat(shared.with(SharedClickHouseTest::one)).isEqualTo("1");
            assertThat(shared.with(SharedClickHouseTest::one)).isEqualTo("1");
            assertThat(attempts).hasValue(3);
        }
    }

    @Test
    void aFailureIsNotKept() {
        AtomicInteger attempts = new AtomicInteger();
        Supplier<Client> connect = () -> {
            if (attempts.incrementAndGet() == 1) throw new IllegalStateException("connection refused");
            return realClient();
        };
        try (SharedClickHouse shared = new SharedClickHouse(connect, 1, Duration.ofMillis(10))) {
            assertThatThrownBy(() -> shared.with(SharedClickHouseTest::one)).hasMessageContaining("connection refused");
            assertThat(shared.with(SharedClickHouseTest::one)).isEqualTo("1");
            assertThat(attempts).hasValue(2);
        }
    }
}
