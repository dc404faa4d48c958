package dev.trawl.functions.web;

import dev.trawl.functions.routes.RouteHandler;
import org.springframework.web.bind.annotation.RestController;

/** Liveness for Knative's probes and the local stack: answers when the app serves requests. */
@RestController
public class HealthController {
    @RouteHandler({"health", "healthz"})
    public Health health() {
        return new Health("ok");
    }

    public record Health(String status) {}
}
