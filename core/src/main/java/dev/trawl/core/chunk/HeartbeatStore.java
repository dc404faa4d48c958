package dev.trawl.core.chunk;

import dev.trawl.core.s3.S3Layout;
import dev.trawl.core.s3.S3Objects;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.core.JacksonException;

/** The nodes' heartbeats ({@link S3Layout#heartbeatKey}): each daemon writes its own; the capture answers read them. */
public final class HeartbeatStore {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatStore.class);

    private final S3Objects objects;

    public HeartbeatStore(S3Client s3, String bucket) {
        this.objects = new S3Objects(s3, bucket);
    }

    public void write(Heartbeat heartbeat) {
        objects.putJson(S3Layout.heartbeatKey(heartbeat.node()), heartbeat.toJson());
    }

    /** Nodes that have a heartbeat folder, in name order. */
    public List<String> nodes() {
        return objects.childNames(S3Layout.NODES);
    }

    /** The node's heartbeat; empty when there is none or it cannot be read (one broken node must not break the answer). */
    public Optional<Heartbeat> read(String node) {
        try {
            return objects.read(S3Layout.heartbeatKey(node)).map(r -> Heartbeat.fromJson(r.bytes()));
        } catch (JacksonException e) {
            log.warn("heartbeat of node {} is not readable: {}", node, e.getOriginalMessage());
            return Optional.empty();
        }
    }
}
