package dev.trawl.local.events;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads the Triggers of {@code knative/base/eventing/triggers.yaml}. The build copies that file
 * into the jar ({@link #RESOURCE}), so the cluster's Broker and the local router route from the
 * same definition.
 */
public final class TriggerFile {
    public static final String RESOURCE = "/dev/trawl/local/knative/triggers.yaml";

    /** The Triggers packaged with this build. */
    public static List<Trigger> packaged() {
        try (InputStream in = TriggerFile.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("the build did not package " + RESOURCE + " (from knative/base/eventing/triggers.yaml)");
            return read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every {@code kind: Trigger} document of a (multi-document) YAML stream; other kinds are skipped. */
    @SuppressWarnings("unchecked")
    public static List<Trigger> read(InputStream yaml) {
        List<Trigger> triggers = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (!(doc instanceof Map<?, ?> m) || !"Trigger".equals(m.get("kind"))) continue;
            Map<String, Object> metadata = (Map<String, Object>) m.get("metadata");
            Map<String, Object> spec = (Map<String, Object>) m.get("spec");
            String name = metadata == null ? null : (String) metadata.get("name");
            if (name == null || spec == null) throw new IllegalArgumentException("a Trigger without metadata.name or spec");
            Map<String, String> filter = new LinkedHashMap<>();
            Object f = spec.get("filter");
            if (f instanceof Map<?, ?> fm && fm.get("attributes") instanceof Map<?, ?> attributes) {
                attributes.forEach((k, v) -> filter.put(String.valueOf(k), String.valueOf(v)));
            }
            Map<String, Object> subscriber = (Map<String, Object>) spec.get("subscriber");
            if (subscriber == null) throw new IllegalArgumentException("Trigger " + name + " has no subscriber");
            Map<String, Object> ref = (Map<String, Object>) subscriber.get("ref");
            if (ref == null) throw new IllegalArgumentException("Trigger " + name + ": the local router needs subscriber.ref");
            String uri = (String) subscriber.get("uri");
            triggers.add(new Trigger(name, filter, (String) ref.get("kind"), (String) ref.get("name"), uri == null ? "" : uri));
        }
        return triggers;
    }

    private TriggerFile() {}
}
