package dev.trawl.functions.web;

import dev.trawl.core.web.RequestBodyLimit;
import java.util.Map;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Request bodies the API accepts: an MCP message up to 4 MiB, a JSON request or CloudEvent up to
 * 1 MiB. The cap runs before every other filter (authentication included), so an oversized body
 * costs nothing but its headers.
 */
@Configuration(proxyBeanMethods = false)
public class RequestLimits {
    static final long MCP_BODY = 4L << 20;
    static final long JSON_BODY = 1L << 20;

    @Bean
    FilterRegistrationBean<RequestBodyLimit> requestBodyLimit() {
        var registration = new FilterRegistrationBean<>(new RequestBodyLimit(Map.of("/mcp", MCP_BODY), JSON_BODY));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
