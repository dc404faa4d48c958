package dev.trawl.functions.dissections;

import dev.trawl.functions.routes.RouteHandler;
import dev.trawl.functions.web.FunctionGroup;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The routes of the dissection endpoints; the logic is in {@link Dissections}. A controller, not
 * Spring Cloud Function routing, because these need path variables on POST and DELETE.
 */
@RestController
@FunctionGroup({"dissections", "databases"})
public class DissectionsController {
    private final Dissections dissections;

    public DissectionsController(Dissections dissections) {
        this.dissections = dissections;
    }

    @RouteHandler("start_dissection")
    @ResponseStatus(HttpStatus.OK)
    public Map<String, Object> start(@RequestBody(required = false) Map<String, Object> request) {
        return dissections.start(request);
    }

    @RouteHandler("list_dissections")
    public Map<String, Object> list(@RequestParam(name = "snapshot", required = false) String snapshot) {
        return dissections.list(snapshot);
    }

    @RouteHandler("get_dissection")
    public Map<String, Object> get(@PathVariable("snapshot") String snapshot, @PathVariable("name") String name) {
        return dissections.get(snapshot, name);
    }

    @RouteHandler("stop_dissection")
    public Map<String, Object> stop(@PathVariable("snapshot") String snapshot, @PathVariable("name") String name) {
        return dissections.stop(snapshot, name);
    }

    @RouteHandler("delete_dissection")
    public Map<String, Object> delete(@PathVariable("snapshot") String snapshot, @PathVariable("name") String name) {
        return dissections.delete(snapshot, name);
    }

    @RouteHandler("list_databases")
    public Map<String, Object> databases() {
        return dissections.databases();
    }
}
