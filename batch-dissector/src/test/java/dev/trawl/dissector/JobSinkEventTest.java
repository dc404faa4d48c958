package dev.trawl.dissector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trawl.dissector.events.JobSinkEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSinkEventTest {
    @TempDir Path dir;

    @Test
    void readsAStructuredEventWithJsonData() throws IOException {
        Path file = dir.resolve("event");
        Files.writeString(file, """
                {"specversion":"1.0","id":"e-1","source":"/trawl/functions","type":"dev.trawl.dissection.requested",
                 "datacontenttype":"application/json","data":{"snapshot":"incident-1","name":"full"}}""");
        var event = JobSinkEvent.read(file);
        assertThat(event.type()).isEqualTo("dev.trawl.dissection.requested");
        assertThat(event.id()).isEqualTo("e-1");
        assertThat(event.data()).containsEntry("snapshot", "incident-1").containsEntry("name", "full");
    }

    @Test
    void readsBase64Data() throws IOException {
        Path file = dir.resolve("event64");
        String data = Base64.getEncoder().encodeToString("{\"snapshot\":\"s\",\"name\":\"n\"}".getBytes());
        Files.writeString(file, "{\"specversion\":\"1.0\",\"id\":\"2\",\"source\":\"/x\",\"type\":\"t\",\"data_base64\":\"" + data + "\"}");
        assertThat(JobSinkEvent.read(file).data()).containsEntry("name", "n");
    }

    @Test
    void refusesAFileThatIsNoEvent() throws IOException {
        Path file = dir.resolve("junk");
        Files.writeString(file, "{\"hello\":1}");
        assertThatThrownBy(() -> JobSinkEvent.read(file)).hasMessageContaining("not a CloudEvent");
    }
}
