package dev.trawl.core.web;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A cap on the request body, per endpoint: a body longer than its endpoint accepts is answered
 * 413 with a JSON error, and no more of it is read (the connection is closed rather than drained).
 * A declared {@code Content-Length} is refused before any byte is read; a chunked body is read up
 * to its cap and no further, then handed on from memory, so a handler never holds more than the
 * cap. Every body trawl's apps take is a small JSON document or CloudEvent; none streams.
 */
public final class RequestBodyLimit implements Filter {
    private final Map<String, Long> capByPath;
    private final long defaultCap;

    /** {@code capByPath}: exact request paths and their caps in bytes; any other path gets {@code defaultCap}. */
    public RequestBodyLimit(Map<String, Long> capByPath, long defaultCap) {
        this.capByPath = Map.copyOf(capByPath);
        this.defaultCap = defaultCap;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String path = request.getRequestURI().substring(request.getContextPath().length());
        long cap = capByPath.getOrDefault(path, defaultCap);
        long declared = request.getContentLengthLong();
        if (declared > cap) {
            refuse(response, path, "a body of " + declared + " bytes", cap);
            return;
        }
        if (declared >= 0 || !hasBody(request)) {
            chain.doFilter(request, response); // the container reads no more than Content-Length
            return;
        }
        byte[] body = request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, cap + 1));
        if (body.length > cap) {
            refuse(response, path, "a chunked body of more than " + cap + " bytes", cap);
            return;
        }
        chain.doFilter(new Buffered(request, body), response);
    }

    private static boolean hasBody(HttpServletRequest request) {
        return request.getHeader("Transfer-Encoding") != null;
    }

    private static void refuse(HttpServletResponse response, String path, String what, long cap) throws IOException {
        response.setStatus(413);
        response.setHeader("Connection", "close");
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        String error = what + " is more than " + path + " accepts (" + cap + " bytes)";
        response.getOutputStream().write(("{\"success\":false,\"error\":\"" + error.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The request with its body already read (within the cap). */
    private static final class Buffered extends HttpServletRequestWrapper {
        private final byte[] body;

        Buffered(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("a buffered body is read blocking");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(getInputStream(),
                    encoding == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(encoding)));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
