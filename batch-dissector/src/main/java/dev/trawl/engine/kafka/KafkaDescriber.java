package dev.trawl.engine.kafka;

import dev.trawl.engine.DecodingParser;
import dev.trawl.engine.Entry;
import dev.trawl.engine.TcpContext;

/** One entry per request, with the response that carried its correlation id. */
final class KafkaDescriber extends DecodingParser<KafkaDecoder, KafkaExchange> {
    KafkaDescriber(TcpContext ctx) {
        super(ctx, KafkaDecoder::new);
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
