package dev.trawl.local;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code trawl.jar}'s entry point: {@code up} runs the local stack in the foreground; the other
 * subcommands hand over to the tools other modules provide, when this build has them.
 */
public final class TrawlMain {
    static final String DISSECT = "dev.trawl.engine.cli.DissectCommand";
    static final String MCP = "dev.trawl.functions.mcp.McpStdio";

    private static final String USAGE = """
            usage: trawl <command> [options]
              up [--data-dir DIR] [--no-capture] [--port-offset N] [--auth]
                                                   everything on this machine (data in ./.trawl by default);
                                                   N moves every port (S3 9000, ClickHouse 8123, ...) up by N;
                                                   --auth: the API asks for tokens (an admin one is written to DIR)
              dissect FILE...                      dissect captures, print API calls as JSON lines
              mcp [--api URL | --port-offset N]    MCP over stdio, for assistants that launch a command; talks to
                                                   the trawl at URL (TRAWL_API_URL) or to `up --port-offset N`,
                                                   with the token in TRAWL_API_TOKEN
              fetch-chdb                           fetch the embedded ClickHouse library into its cache
            """;

    private TrawlMain() {}

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "up" -> up(rest);
            case "dissect" -> {
                logToStderr();
                handOver(DISSECT, "dissect", rest);
            }
            case "mcp" -> {
                logToStderr(); // standard output carries only JSON-RPC
                handOver(MCP, "mcp", rest);
            }
            case "bench" -> fail("benchmarks run from the source tree: ./trawl bench engine|job|export|boundaries|calls|capture");
            case "fetch-chdb" -> dev.trawl.embedded.clickhouse.ChdbLibrary.main(rest);
            case "help", "-h", "--help" -> System.out.print(USAGE);
            default -> {
                System.err.print("trawl: unknown command '" + command + "'\n" + USAGE);
                System.exit(2);
            }
        }
    }

    private static void up(String[] args) throws Exception {
        Path dataDir = Path.of(".trawl");
        boolean capture = true;
        int portOffset = 0;
        boolean auth = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--auth" -> auth = true;
                case "--data-dir" -> {
                    if (i + 1 >= args.length) fail("--data-dir needs a directory");
                    dataDir = Path.of(args[++i]);
                }
                case "--no-capture" -> capture = false;
                case "--port-offset" -> {
                    if (i + 1 >= args.length) fail("--port-offset needs a number");
                    try {
                        portOffset = Integer.parseInt(args[++i]);
                    } catch (NumberFormatException e) {
                        fail("--port-offset needs a number, not '" + args[i] + "'");
                    }
                    if (portOffset < 0 || portOffset > 50_000) fail("--port-offset must be between 0 and 50000");
                }
                default -> fail("up: unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        var options = LocalStack.Options.defaults(dataDir).withPortOffset(portOffset).withCapture(capture);
        if (auth) {
            Map<String, String> tokens = Map.of("TRAWL_AUTH", "tokens",
                    "TRAWL_AUTH_TOKENS_FILE", LocalTokens.prepare(dataDir).toAbsolutePath().toString());
            options = options.withEnv(name -> tokens.containsKey(name) ? tokens.get(name) : System.getenv(name));
        }
        LocalStack stack;
        try {
            stack = LocalStack.start(options);
        } catch (IllegalStateException e) {
            fail(e.getMessage());
            return;
        }
        Path shownDir = dataDir;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\ntrawl: stopping ...");
            stack.close();
            System.out.println("trawl: stopped; the data stays in " + shownDir.toAbsolutePath().normalize());
            stopped.countDown();
        }, "trawl-stop"));
        stack.printSummary(System.out);
        stopped.await();
    }

    /** Runs another module's command-line tool, or says plainly that this build does not have it. */
    static void handOver(String className, String command, String[] args) throws Exception {
        Class<?> tool;
        try {
            tool = Class.forName(className);
        } catch (ClassNotFoundException e) {
            fail("'trawl " + command + "' is not available yet in this build (" + className + " is missing)");
            return;
        }
        Method main = tool.getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        }
    }

    private static void logToStderr() {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "dev/trawl/local/logback-stderr.xml");
        }
    }

    private static void fail(String message) {
        System.err.println("trawl: " + message);
        System.exit(1);
    }
}
