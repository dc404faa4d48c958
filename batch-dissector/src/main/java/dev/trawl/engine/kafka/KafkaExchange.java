package dev.trawl.engine.kafka;

import java.util.List;

/**
 * A Kafka request and the response that carried its correlation id.
 *
 * @param topics the topics the request names, where its API and version allow (Produce, Fetch, Metadata)
 * @param errorCode the response's error code where it has one at a known place; -1 when none was read
 * @param responseMicros 0 when unanswered
 */
public record KafkaExchange(int apiKey, int apiVersion, int correlationId, String clientId, List<String> topics,
                            int errorCode, long requestSize, long responseSize, long requestMicros,
                            long responseMicros) {

    public String apiName() {
        return KafkaApis.name(apiKey);
    }

    public boolean answered() {
        return responseMicros != 0;
    }
}
