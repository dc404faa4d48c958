package dev.trawl.functions.routes;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a controller method as the handler of the {@link Routes} entries it names: Spring MVC
 * maps it to their method and path ({@link RouteMappings}), so no path is written twice. The
 * method's parameters are bound as usual ({@code @PathVariable}, {@code @RequestParam}, ...).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RouteHandler {
    String[] value();
}
