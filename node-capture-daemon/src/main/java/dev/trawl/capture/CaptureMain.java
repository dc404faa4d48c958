package dev.trawl.capture;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The pod's entry point: configuration from the environment ({@link CaptureConfig}), runs until SIGTERM. */
public final class CaptureMain {
    static {
        // the pod's own logging setup, unless one is given; a resource of its own name so it never shadows the local stack's
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "dev/trawl/capture/logback-daemon.xml");
        }
    }

    private static final Logger log = LoggerFactory.getLogger(CaptureMain.class);

    private CaptureMain() {}

    public static void main(String[] args) throws Exception {
        CaptureLauncher.Launched launched;
        try {
            launched = CaptureLauncher.launchServingMetrics(System::getenv);
        } catch (IllegalArgumentException badConfiguration) {
            System.err.println("node-capture-daemon: " + badConfiguration.getMessage());
            System.exit(2);
            return;
        }
        if (launched.metricsUrl() != null) log.info("metrics on {}", launched.metricsUrl());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                launched.close();
            } catch (Exception e) {
                log.warn("shutdown: {}", e.toString());
            } finally {
                stopped.countDown();
            }
        }, "shutdown"));
        // a capture that died (interface gone, permission lost) is the pod's end: Kubernetes restarts it,
        // and the shutdown hook first uploads what the spool holds
        while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
            for (CaptureDaemon d : launched.daemons()) {
                if (d.failure() != null) {
                    log.error("{}: capture failed, exiting: {}", d.node(), d.failure().toString());
                    System.exit(1);
                }
            }
        }
    }
}
