package dev.trawl.dissector.events;

import dev.trawl.core.web.RequestBodyLimit;
import java.util.Map;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/** A CloudEvent trawl sends is a few hundred bytes: {@code /events} takes at most 1 MiB. */
@Configuration(proxyBeanMethods = false)
public class EventBodyLimit {
    static final long EVENT_BODY = 1L << 20;

    @Bean
    FilterRegistrationBean<RequestBodyLimit> eventBodyLimitFilter() {
        var registration = new FilterRegistrationBean<>(new RequestBodyLimit(Map.of(), EVENT_BODY));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
