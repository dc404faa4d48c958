package dev.trawl.functions.web;

import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Tomcat refuses some requests itself, before any filter or controller sees them (a path it cannot
 * decode, a request head past its size), and answers them with its HTML error page. The API's
 * errors are JSON, so a client parses every refusal the same way.
 */
@Configuration(proxyBeanMethods = false)
public class JsonErrorReports {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonErrorReportValve() {
        return new Customizer();
    }

    // After Spring Boot's own customizer, which installs the HTML valve this one replaces.
    private static final class Customizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {
        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                if (context.getParent() instanceof StandardHost host) {
                    // the host adds Tomcat's HTML valve at start unless one of this class is there
                    host.setErrorReportValveClass(JsonErrorReportValve.class.getName());
                }
                Pipeline pipeline = context.getParent().getPipeline();
                for (Valve valve : pipeline.getValves()) {
                    if (valve instanceof ErrorReportValve) pipeline.removeValve(valve);
                }
                pipeline.addValve(new JsonErrorReportValve());
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    public static final class JsonErrorReportValve extends ErrorReportValve {
        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            if (status < 400 || response.getContentWritten() > 0 || response.isCommitted()) return;
            try {
                response.setContentType("application/json");
                response.setCharacterEncoding("utf-8");
                Writer writer = response.getReporter();
                if (writer != null) {
                    writer.write("{\"success\":false,\"error\":\"the server refused the request (HTTP " + status + ")\"}");
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException ignored) {
                // the connection is already gone: nothing to tell
            }
        }
    }
}
