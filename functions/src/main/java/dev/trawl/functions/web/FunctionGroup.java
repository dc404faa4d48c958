package dev.trawl.functions.web;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.Map;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Marks an endpoint group's configuration: it is active unless {@code TRAWL_FUNCTIONS} (a comma
 * list, e.g. {@code raw-capture,data-boundaries}) is set and names none of {@link #value()}. One
 * image then serves as one Knative Service per group; unset, one process serves everything.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Conditional(FunctionGroup.Active.class)
public @interface FunctionGroup {
    String[] value();

    final class Active implements Condition {
        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Map<String, Object> attributes = metadata.getAnnotationAttributes(FunctionGroup.class.getName());
            String[] groups = attributes == null ? new String[0] : (String[]) attributes.get("value");
            return anyServed(context.getEnvironment().getProperty("TRAWL_FUNCTIONS"), groups);
        }

        /** Whether an instance with this {@code TRAWL_FUNCTIONS} (null: every group) serves any of the groups. */
        public static boolean anyServed(String selected, String... groups) {
            if (selected == null || selected.isBlank()) return true;
            var wanted = Arrays.stream(selected.split(",")).map(String::trim).toList();
            return Arrays.stream(groups).anyMatch(wanted::contains);
        }
    }
}
