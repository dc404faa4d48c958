package dev.trawl.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One of trawl's Spring Boot apps run inside the local stack's JVM, if its class is on the
 * classpath (each lands from its own module). It gets the stack's configuration as properties under
 * the same environment-style names a pod gets as variables.
 *
 * <p>Every module ships an {@code application.properties} at its root, and in one classpath
 * {@code classpath:application.properties} would be whichever jar comes first. So each app reads its
 * own file (found beside its main class) and the shared lookup is switched off.
 */
final class SpringApp implements AutoCloseable {
    private final String name;
    private final ConfigurableApplicationContext context;

    private SpringApp(String name, ConfigurableApplicationContext context) {
        this.name = name;
        this.context = context;
    }

    /** The class, if this build has it. */
    static Optional<Class<?>> find(String className) {
        try {
            return Optional.of(Class.forName(className, false, SpringApp.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            return Optional.empty();
        }
    }

    static SpringApp start(String name, Class<?> main, String host, int port, Map<String, String> settings) throws IOException {
        // one value per name: a command-line property given twice would be joined with a comma
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        Properties own = ownProperties(main);
        for (String key : own.stringPropertyNames()) properties.put(key, own.getProperty(key));
        properties.put("spring.config.name", "trawl-local-" + name); // no ambiguous application.properties
        properties.put("server.address", host);
        properties.put("server.port", String.valueOf(port));
        properties.put("spring.main.banner-mode", "off");
        properties.putAll(settings);
        List<String> args = new ArrayList<>();
        properties.forEach((k, v) -> args.add("--" + k + "=" + v));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(main)
                .registerShutdownHook(false) // the stack stops its parts in order
                .run(args.toArray(String[]::new));
        return new SpringApp(name, context);
    }

    private static Properties ownProperties(Class<?> main) throws IOException {
        Properties properties = new Properties();
        URL codeSource = main.getProtectionDomain().getCodeSource().getLocation();
        String base = codeSource.toString();
        URL file = URI.create(base.endsWith("/") || base.endsWith("!/") ? base + "application.properties"
                : (base.endsWith(".jar") ? "jar:" + base + "!/application.properties" : base + "/application.properties")).toURL();
        try (InputStream in = file.openStream()) {
            properties.load(in);
        } catch (IOException noneOfItsOwn) {
            // an app without application.properties runs on defaults
        }
        return properties;
    }

    String name() {
        return name;
    }

    ConfigurableApplicationContext context() {
        return context;
    }

    int port() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1"));
    }

    @Override
    public void close() {
        context.close();
    }
}
