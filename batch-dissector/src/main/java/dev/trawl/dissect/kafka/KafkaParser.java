package dev.trawl.dissect.kafka;

import dev.trawl.dissect.Direction;
import dev.trawl.dissect.Entry;
import dev.trawl.dissect.TcpContext;
import dev.trawl.dissect.TcpParser;
import java.nio.ByteBuffer;

/** One entry per request, with the response that carried its correlation id. */
final class KafkaParser implements TcpParser {
    private final TcpContext ctx;
    private final KafkaConnection connection;

    KafkaParser(TcpContext ctx) {
        this.ctx = ctx;
        this.connection = new KafkaConnection(this::emit);
    }

    @Override
    public int onData(Direction direction, ByteBuffer data, long timestampNanos) {
        int start = data.position();
        connection.onData(direction == Direction.CLIENT_TO_SERVER, data, timestampNanos / 1000);
        return data.position() - start;
    }

    @Override
    public void onGap(Direction direction, long length, long timestampNanos) {
        ctx.count("gaps");
        connection.gap(direction == Direction.CLIENT_TO_SERVER);
    }

    @Override
    public void onClose(long timestampNanos) {
        connection.close();
        if (connection.errors() > 0) {
            ctx.count("malformed");
        }
    }

    private void emit(KafkaExchange x) {
        Entry.Builder e = ctx.newEntry();
        e.timestampMicros(x.requestMicros());
        String topics = String.join(",", x.topics());
        e.method(x.apiKey() >= 0 ? x.apiName() : "").path(topics);
        e.requestSize(x.requestSize()).responseSize(x.responseSize()).answered(x.answered());
        if (x.answered() && x.apiKey() >= 0) {
            e.latencyMicros(x.responseMicros() - x.requestMicros());
        }
        if (x.apiKey() >= 0) {
            e.field("kafka_api_key", x.apiKey()).field("kafka_api_key_name", x.apiName())
                    .field("kafka_api_version", x.apiVersion()).field("kafka_client_id", x.clientId());
        } else {
            e.field("request_missing", "true");
        }
        e.field("kafka_correlation_id", x.correlationId());
        if (!topics.isEmpty()) {
            e.field("kafka_topics", topics);
        }
        if (x.errorCode() >= 0) {
            e.status(x.errorCode()).field("kafka_error_code", x.errorCode());
        }
        e.summary((x.apiKey() >= 0 ? x.apiName() + " v" + x.apiVersion() : "response") + (topics.isEmpty() ? "" : " " + topics));
        ctx.emit(e);
    }
}
