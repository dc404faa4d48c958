package dev.trawl.functions.web;

import dev.trawl.functions.routes.RouteHandler;
import java.util.Map;
import org.springframework.web.bind.annotation.RestController;

/** Liveness for Knative's probes and the local stack: answers when the app serves requests. */
@RestController
public class HealthController {
    @RouteHandler({"health", "healthz"})
    public Map<String, Object> health() {
        return Map.of("status", "ok");
    }
}
