package dev.trawl.functions.routes;

import java.lang.reflect.Method;
import org.springframework.boot.webmvc.autoconfigure.WebMvcRegistrations;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Spring MVC's request mapping, with the method and path of a {@link RouteHandler} method read
 * from {@link Routes}. A name that is not in the table stops the application from starting.
 */
@Configuration(proxyBeanMethods = false)
public class RouteMappings {

    @Bean
    WebMvcRegistrations routeTableMappings() {
        return new WebMvcRegistrations() {
            @Override
            public RequestMappingHandlerMapping getRequestMappingHandlerMapping() {
                return new FromRouteTable();
            }
        };
    }

    static final class FromRouteTable extends RequestMappingHandlerMapping {
        @Override
        protected RequestMappingInfo getMappingForMethod(Method method, Class<?> handlerType) {
            RouteHandler handler = AnnotatedElementUtils.findMergedAnnotation(method, RouteHandler.class);
            if (handler == null) return super.getMappingForMethod(method, handlerType);
            // one handler may serve several routes of one method (a path and its alias)
            var routes = java.util.Arrays.stream(handler.value())
                    .map(name -> Routes.named(name).orElseThrow(() -> new IllegalStateException(
                            method + " handles the route '" + name + "', which is not in the route table")))
                    .toList();
            if (routes.stream().map(Route::method).distinct().count() != 1) {
                throw new IllegalStateException(method + " handles routes of different HTTP methods: " + routes);
            }
            return RequestMappingInfo.paths(routes.stream().map(Route::pattern).toArray(String[]::new))
                    .methods(RequestMethod.valueOf(routes.getFirst().method()))
                    .options(getBuilderConfiguration())
                    .build();
        }
    }
}
