package dev.trawl.functions.routes;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;

/** What knative/base deploys of the functions image: its Services' endpoint groups and the HTTPRoute's path prefixes. */
public final class KnativeManifests {
    private static final Path BASE = Path.of("..", "knative", "base");

    private KnativeManifests() {}

    /** A path prefix of the HTTPRoute and the Knative Service it sends to. */
    public record Prefix(String path, String service) {}

    /** Each functions Service by name, with its {@code TRAWL_FUNCTIONS}. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> functionsByService() {
        Map<String, String> services = new LinkedHashMap<>();
        for (Map<String, Object> object : documents(BASE.resolve("serving/functions.yaml"))) {
            if (!"Service".equals(object.get("kind"))) continue;
            String name = (String) ((Map<String, Object>) object.get("metadata")).get("name");
            var spec = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) object.get("spec")).get("template")).get("spec");
            for (var container : (List<Map<String, Object>>) spec.get("containers")) {
                for (var env : (List<Map<String, Object>>) container.getOrDefault("env", List.of())) {
                    if ("TRAWL_FUNCTIONS".equals(env.get("name"))) services.put(name, (String) env.get("value"));
                }
            }
        }
        return services;
    }

    public static String functionsOf(String service) {
        String groups = functionsByService().get(service);
        if (groups == null) throw new IllegalStateException("knative/base/serving/functions.yaml has no Service " + service + " with TRAWL_FUNCTIONS");
        return groups;
    }

    /** The HTTPRoute's PathPrefix matches, each with the Service its rule rewrites the host to. */
    @SuppressWarnings("unchecked")
    public static List<Prefix> routePrefixes() {
        List<Prefix> prefixes = new ArrayList<>();
        for (Map<String, Object> object : documents(BASE.resolve("routing/httproute.yaml"))) {
            if (!"HTTPRoute".equals(object.get("kind"))) continue;
            for (var rule : (List<Map<String, Object>>) ((Map<String, Object>) object.get("spec")).get("rules")) {
                String host = null;
                for (var filter : (List<Map<String, Object>>) rule.getOrDefault("filters", List.of())) {
                    var rewrite = (Map<String, Object>) filter.get("urlRewrite");
                    if (rewrite != null && rewrite.get("hostname") != null) host = (String) rewrite.get("hostname");
                }
                if (host == null) continue;
                String service = host.substring(0, host.indexOf('.'));
                for (var match : (List<Map<String, Object>>) rule.get("matches")) {
                    var path = (Map<String, Object>) match.get("path");
                    if (path != null && "PathPrefix".equals(path.get("type"))) prefixes.add(new Prefix((String) path.get("value"), service));
                }
            }
        }
        return prefixes;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> documents(Path manifest) {
        List<Map<String, Object>> documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(manifest)) {
            for (Object doc : new Yaml().loadAll(reader)) {
                if (doc instanceof Map<?, ?> object) documents.add((Map<String, Object>) object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }
}
