package dev.trawl.dissector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.core.dissection.DissectionStatus;
import dev.trawl.core.dissection.DissectionStatus.State;
import dev.trawl.core.dissection.DissectionStatusStore;
import dev.trawl.core.s3.NameTakenException;
import dev.trawl.embedded.EmbeddedS3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

class DissectionStatusStoreTest {
    @TempDir static Path dir;
    static EmbeddedS3 s3;
    static S3Client client;
    static DissectionStatusStore store;

    @BeforeAll
    static void start() throws Exception {
        s3 = EmbeddedS3.startForTest(dir);
        client = s3.client();
        store = new DissectionStatusStore(client, s3.settings().bucket());
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        s3.close();
    }

    @Test
    void aTakenNameIsRefused() {
        store.create(DissectionStatus.pending("snap-a", "one", Instant.now()));
        assertThatThrownBy(() -> store.create(DissectionStatus.pending("snap-a", "one", Instant.now())))
                .isInstanceOf(NameTakenException.class);
    }

    @Test
    void roundTripsTheSeedFields() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        var status = DissectionStatus.pending("snap-b", "full", now)
                .withStatus(State.RUNNING, now)
                .withProgress(45, new DissectionStatus.Stats(10, 500, 5000, 250, Map.of("http", 200L, "dns", 50L)), now)
                .withErrors(List.of("chunk x: truncated"), now);
        store.create(status);
        assertThat(store.find("snap-b", "full")).contains(status);
        String json = client.getObjectAsBytes(b -> b.bucket("trawl").key("dissections/snap-b/full/status.json")).asString(StandardCharsets.UTF_8);
        assertThat(json).contains("\"status\":\"running\"", "\"progress\":45", "\"pcap_files\":10", "\"protocol_counts\":{\"dns\":50,\"http\":200}",
                "\"cancel_requested\":false", "\"errors\":[\"chunk x: truncated\"]");
    }

    @Test
    void anUpdateKeepsAConcurrentCancel() {
        Instant now = Instant.now();
        store.create(DissectionStatus.pending("snap-c", "x", now));
        var before = store.read("snap-c", "x").orElseThrow();
        store.update("snap-c", "x", s -> s.withCancelRequested(now));
        // a writer that read before the cancel must not win with its stale copy
        var next = store.update("snap-c", "x", s -> s.withProgress(10, s.stats(), now)).orElseThrow();
        assertThat(next.cancelRequested()).isTrue();
        assertThat(before.status().cancelRequested()).isFalse();
        assertThat(store.list("snap-c")).extracting(DissectionStatus::name).containsExactly("x");
        store.delete("snap-c", "x");
        assertThat(store.find("snap-c", "x")).isEmpty();
    }
}
