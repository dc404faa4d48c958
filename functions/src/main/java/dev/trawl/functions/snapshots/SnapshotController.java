package dev.trawl.functions.snapshots;

import dev.trawl.functions.routes.RouteHandler;
import dev.trawl.functions.web.ApiException;
import dev.trawl.functions.web.FunctionGroup;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The routes of {@code /mcp/snapshots}. A controller because Spring Cloud Function web cannot
 * express them: one path is both a list (GET) and a create (POST), {@code :name} is followed by
 * {@code /pcap}, DELETE maps only to a Consumer (no answer), and the export is a long binary
 * stream. Each route only hands its input to {@link SnapshotService} or {@link SnapshotExport}.
 */
@RestController
@FunctionGroup("snapshots")
public class SnapshotController {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,18})-(\\d{0,18})");

    private final SnapshotService snapshots;
    private final SnapshotExport export;
    private final SnapshotEvidence evidence;

    public SnapshotController(SnapshotService snapshots, SnapshotExport export, SnapshotEvidence evidence) {
        this.snapshots = snapshots;
        this.export = export;
        this.evidence = evidence;
    }

    @RouteHandler("list_snapshots")
    public SnapshotAnswers.Listing list() {
        return snapshots.list();
    }

    @RouteHandler("create_snapshot")
    public SnapshotAnswers.Created create(@RequestBody(required = false) Map<String, Object> body) {
        return snapshots.create(body);
    }

    @RouteHandler("get_snapshot")
    public SnapshotAnswers.Details details(@PathVariable("name") String name) {
        return snapshots.details(name);
    }

    @RouteHandler("delete_snapshot")
    public SnapshotAnswers.Deleted delete(@PathVariable("name") String name) {
        evidence.requireDeletable(name);
        return snapshots.delete(name);
    }

    /**
     * The export. With {@code presign=true} the answer is JSON with a presigned URL instead. A
     * {@code Range} of one byte range is honoured when the length is known in advance (an
     * unfiltered pcap export); otherwise the whole file is sent (200), as HTTP allows. A HEAD checks the request as the GET
     * would (a bad filter, node or format is a 400) and answers its headers, with the length when
     * it is known, without merging a byte: a client can ask whether a download will work.
     */
    @RouteHandler("export_snapshot_pcap")
    public Object pcap(@PathVariable("name") String name,
            @RequestParam(name = "nodes", required = false) String nodes,
            @RequestParam(name = "start_time", required = false) String startTime,
            @RequestParam(name = "end_time", required = false) String endTime,
            @RequestParam(name = "bpf_filter", required = false) String bpfFilter,
            @RequestParam(name = "format", required = false) String format,
            @RequestParam(name = "services", required = false) String services,
            @RequestParam(name = "namespaces", required = false) String namespaces,
            @RequestParam(name = "pods", required = false) String pods,
            @RequestParam(name = "presign", required = false, defaultValue = "false") boolean presign,
            @RequestHeader(name = HttpHeaders.RANGE, required = false) String range,
            HttpMethod method,
            HttpServletResponse response) throws IOException {
        SnapshotExport.Plan plan = export.plan(new SnapshotExport.Request(name, nodes, startTime, endTime, bpfFilter, format,
                SnapshotExport.scope(services, namespaces, pods)));
        if (presign) return export.presign(plan);

        long skip = 0;
        long last = -1;
        response.setContentType(plan.format().contentType());
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + plan.fileName() + "\"");
        response.setHeader("X-Trawl-Packet-Window", plan.fromNanos() + "-" + plan.toNanos());
        if (plan.length() >= 0) {
            response.setHeader(HttpHeaders.ACCEPT_RANGES, "bytes");
            response.setHeader(HttpHeaders.ETAG, "\"" + plan.fingerprint() + "\"");
            Matcher m = range == null ? null : RANGE.matcher(range.trim());
            // a form this server does not serve (several ranges, a suffix, another unit, N-M with
            // M < N) is ignored and the whole export sent, as RFC 9110 lets a server do
            if (m != null && m.matches() && (m.group(2).isEmpty() || Long.parseLong(m.group(2)) >= Long.parseLong(m.group(1)))) {
                skip = Long.parseLong(m.group(1));
                last = m.group(2).isEmpty() ? plan.length() - 1 : Math.min(Long.parseLong(m.group(2)), plan.length() - 1);
                if (skip >= plan.length()) {
                    response.setHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + plan.length());
                    throw new ApiException.RangeNotSatisfiable("Range '" + range + "' is outside the export's " + plan.length() + " bytes");
                }
                response.setStatus(206);
                response.setHeader(HttpHeaders.CONTENT_RANGE, "bytes " + skip + "-" + last + "/" + plan.length());
                response.setContentLengthLong(last - skip + 1);
            } else {
                response.setContentLengthLong(plan.length());
            }
        } else {
            response.setHeader(HttpHeaders.ACCEPT_RANGES, "none");
        }
        if (method == HttpMethod.HEAD) return null; // the servlet container would discard the body anyway
        try (OutputStream out = new RangeOutputStream(response.getOutputStream(), skip, last)) {
            export.write(plan, out);
        } catch (RangeOutputStream.RangeDone done) {
            // the requested range is written: stop merging
        }
        return null;
    }

    /** Passes through only bytes {@code [skip, last]} of what is written (last −1: to the end), then stops the writer. */
    static final class RangeOutputStream extends OutputStream {
        static final class RangeDone extends IOException {
            RangeDone() {
                super("range complete", null);
            }
        }

        private final OutputStream out;
        private final long skip;
        private final long last;
        private long position;

        RangeOutputStream(OutputStream out, long skip, long last) {
            this.out = out;
            this.skip = skip;
            this.last = last;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            long start = position;
            long end = position + len; // exclusive
            position = end;
            long from = Math.max(start, skip);
            long to = last < 0 ? end : Math.min(end, last + 1);
            if (from < to) out.write(b, off + (int) (from - start), (int) (to - from));
            if (last >= 0 && position > last) {
                out.flush();
                throw new RangeDone();
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
