package dev.trawl.dissect.kafka;

import dev.trawl.dissect.DecoderParser;
import dev.trawl.dissect.Entry;
import dev.trawl.dissect.TcpContext;

/** One entry per request, with the response that carried its correlation id. */
final class KafkaParser extends DecoderParser<KafkaConnection, KafkaExchange> {
    KafkaParser(TcpContext ctx) {
        super(ctx, KafkaConnection::new);
    }

    @Override
    protected void describe(KafkaExchange x, Entry.Builder e) {
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
    }
}
