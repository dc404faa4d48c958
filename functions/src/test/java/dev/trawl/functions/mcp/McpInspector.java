package dev.trawl.functions.mcp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The npm MCP inspector's command line, a real MCP client from outside the JVM. Installed once
 * into the build directory; absent (and the tests that need it skipped) where npm is missing.
 */
public final class McpInspector {
    // the inspector's 1.x command-line package needs the 2.x launcher around it to run
    public static final String PACKAGE = "@modelcontextprotocol/inspector@2.12.0";
    private static final Path HOME = Path.of(System.getProperty("java.io.tmpdir"), "trawl-mcp-inspector-2.12.0");

    private McpInspector() {}

    public static boolean available() {
        try {
            return install() != null;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static synchronized Path install() throws IOException, InterruptedException {
        Path cli = HOME.resolve("node_modules/.bin/mcp-inspector");
        if (Files.exists(cli)) return cli;
        Files.createDirectories(HOME);
        Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--no-package-lock", "--prefix", HOME.toString(), PACKAGE)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) return null;
        return Files.exists(cli) ? cli : null;
    }

    /**
     * Runs one inspector call against an MCP URL (Streamable HTTP) and returns what it printed.
     * The inspector exits with 5 when a tool answered isError, which is an answer, not a failure.
     */
    public static String run(String url, String... args) throws IOException, InterruptedException {
        // under load the inspector sometimes calls before its own tool list is in: ask again
        for (int attempt = 1; ; attempt++) {
            String out = runOnce(url, args);
            if (!out.contains("\"tool_not_found\"") || attempt == 8) return out;
            Thread.sleep(250L * attempt);
        }
    }

    private static String runOnce(String url, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(install().toString(), "--cli", url, "--transport", "http"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException("the MCP inspector did not finish: " + String.join(" ", command));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (process.exitValue() != 0 && process.exitValue() != 5) throw new IOException("the MCP inspector failed (" + process.exitValue() + "): " + text);
        return text;
    }
}
