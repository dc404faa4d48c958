package dev.trawl.dissector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.events.EventSender;
import dev.trawl.core.events.TrawlEvents;
import dev.trawl.core.pcap.SharedPcaps;
import dev.trawl.embedded.EmbeddedS3;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.services.s3.S3Client;

/** The dissector in service mode with ClickHouse down from the start: it still takes requests and ends them failed, with the reason. */
@SpringBootTest(classes = DissectorApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"TRAWL_CLICKHOUSE_URL=http://127.0.0.1:1", "TRAWL_DISSECTOR_RETRIES=2", "TRAWL_DISSECTOR_RETRY_BACKOFF_MS=50"})
class DissectorWithoutClickHouseTest {
    static final EmbeddedS3 s3;

    static {
        try {
            s3 = EmbeddedS3.startForTest(Files.createTempDirectory("dissector-no-ch").resolve("s3"));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        s3.settings().toEnv().forEach((k, v) -> registry.add(k, () -> v));
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    @LocalServerPort int port;

    @Test
    void aRequestEndsFailedWithTheReasonInsteadOfStayingPending() throws Exception {
        Path pcap = SharedPcaps.dir().resolve("PcapPlusPlus/4KHttpRequests.pcap");
        try (S3Client s3Client = s3.client()) {
            var store = new DissectionStatusStore(s3Client, "trawl");
            new ReplayedSnapshot(s3Client, "trawl", "no-ch", Instant.parse("2026-03-03T00:00:00Z")).add("node-a", pcap).complete();
            store.create(DissectionStatus.pending("no-ch", "analysis", Instant.now()));
            new EventSender(URI.create("http://127.0.0.1:" + port + "/events"), "test")
                    .send(TrawlEvents.DISSECTION_REQUESTED, "no-ch/analysis", Map.of("snapshot", "no-ch", "name", "analysis"));
            var end = DissectorEventsTest.await(store, "no-ch", "analysis", s -> s.status().isTerminal());
            assertThat(end.status()).isEqualTo(State.FAILED);
            assertThat(end.errors()).singleElement().asString().contains("after 2 attempts").contains("127.0.0.1:1");
        }
    }
}
