package dev.trawl.local.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.core.events.TrawlEvents;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TriggerFileTest {
    @Test
    void thePackagedTriggersAreKnativesOwnFile() throws Exception {
        Path source = Path.of(System.getProperty("user.dir")).resolve("../knative/base/eventing/triggers.yaml");
        List<Trigger> fromRepo = TriggerFile.read(Files.newInputStream(source));
        assertThat(TriggerFile.packaged()).isEqualTo(fromRepo);
        // every event type trawl sends has somewhere to go
        for (String type : List.of(TrawlEvents.PCAP_UPLOADED, TrawlEvents.SNAPSHOT_REQUESTED, TrawlEvents.DISSECTION_REQUESTED, TrawlEvents.DISSECTION_CANCELLED)) {
            assertThat(fromRepo).anySatisfy(t -> assertThat(t.matches(Map.of("type", type))).isTrue());
        }
    }

    @Test
    void readsFiltersSubscribersAndPaths() {
        String yaml = """
                apiVersion: eventing.knative.dev/v1
                kind: Broker
                metadata: {name: trawl}
                ---
                apiVersion: eventing.knative.dev/v1
                kind: Trigger
                metadata: {name: a}
                spec:
                  broker: trawl
                  filter: {attributes: {type: t.one, source: /s}}
                  subscriber:
                    ref: {apiVersion: serving.knative.dev/v1, kind: Service, name: svc}
                    uri: /events
                """;
        List<Trigger> triggers = TriggerFile.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        assertThat(triggers).containsExactly(new Trigger("a", Map.of("type", "t.one", "source", "/s"), "Service", "svc", "/events"));
        assertThat(triggers.getFirst().matches(Map.of("type", "t.one", "source", "/s", "id", "1"))).isTrue();
        assertThat(triggers.getFirst().matches(Map.of("type", "t.one"))).isFalse();
    }

    @Test
    void aTriggerWithoutSubscriberIsAnError() {
        String yaml = "kind: Trigger\nmetadata: {name: b}\nspec: {broker: trawl}\n";
        assertThatThrownBy(() -> TriggerFile.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("Trigger b has no subscriber");
    }
}
