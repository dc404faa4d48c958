package dev.trawl.dissector.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The event a Knative JobSink hands its Job: a CloudEvent in JSON (structured) form, mounted as
 * a file at {@link #DEFAULT_PATH}. Only what trawl needs is read: the type and the JSON data
 * ({@code data}, or {@code data_base64}).
 */
public record JobSinkEvent(String id, String type, Map<String, Object> data) {
    /** Where JobSink mounts the event (Knative Eventing docs, "JobSink"). */
    public static final String DEFAULT_PATH = "/etc/jobsink-event/event";
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @SuppressWarnings("unchecked")
    public static JobSinkEvent read(Path file) throws IOException {
        JsonNode event = JSON.readTree(Files.readAllBytes(file));
        String type = event.path("type").asString(null);
        if (type == null) throw new IOException(file + " is not a CloudEvent: no type");
        Map<String, Object> data;
        if (event.hasNonNull("data_base64")) {
            data = JSON.readValue(Base64.getDecoder().decode(event.get("data_base64").asString()), Map.class);
        } else if (event.path("data").isObject()) {
            data = JSON.treeToValue(event.get("data"), Map.class);
        } else if (event.path("data").isString()) {
            data = JSON.readValue(event.get("data").asString().getBytes(StandardCharsets.UTF_8), Map.class);
        } else {
            data = Map.of();
        }
        return new JobSinkEvent(event.path("id").asString(""), type, data);
    }
}
