-- trawl's ClickHouse schema, version 1: the calls table.
-- One row per API call (request and its response, or a request left unanswered).
-- `dataset` is 'realtime' or '<snapshot>/<dissection>' and leads the partition key, so a
-- dissection is deleted with DROP PARTITION (metadata only). Entry ids are deterministic: a
-- re-run of the same dissection produces the same ids, and the Replacing engine folds repeats.
CREATE TABLE IF NOT EXISTS calls
(
    dataset          LowCardinality(String),
    id               String,                         -- deterministic, hex
    ts               DateTime64(6, 'UTC'),           -- the request's first packet
    node             LowCardinality(String),
    protocol         LowCardinality(String),         -- http, http2, grpc, ws, dns, redis, kafka, amqp, postgresql, mysql, mongodb, tls, icmp
    transport        LowCardinality(String),         -- tcp, udp, icmp

    src_ip           LowCardinality(String),
    src_port         UInt16,
    src_pod          LowCardinality(String),
    src_namespace    LowCardinality(String),
    src_service      LowCardinality(String),
    dst_ip           LowCardinality(String),
    dst_port         UInt16,
    dst_pod          LowCardinality(String),
    dst_namespace    LowCardinality(String),
    dst_service      LowCardinality(String),

    method           LowCardinality(String),         -- HTTP method, DNS qtype, Redis command, Kafka api key name, AMQP method, SQL verb, Mongo command
    path             String,                         -- HTTP path and query, gRPC /pkg.Service/Method, DNS name, Redis key, Kafka topic, SQL text, Mongo db.collection, TLS SNI
    host             String,                         -- HTTP Host / :authority, TLS SNI
    status           Int32,                          -- HTTP status, gRPC status, DNS rcode, SQL error code; 0 when none
    status_text      String,
    answered         UInt8,                          -- 0: the request's response was never seen
    latency_us       UInt64,

    request_size     UInt64,                         -- bytes of the request message (headers and body as sent)
    response_size    UInt64,
    request_headers  Map(String, String),
    response_headers Map(String, String),
    request_body     String,                         -- decoded (chunked, gzip, deflate), cut at the configured limit
    response_body    String,
    fields           Map(LowCardinality(String), String), -- protocol-specific: grpc_status, redis_key, kafka_api_key_name, amqp_exchange, ...
    dns_questions    Array(String),
    dns_answers      Array(String),
    summary          String,                         -- one line, as a person would say it
    source           String,                         -- the PCAP (S3 key or file) the request began in
    inserted_at      DateTime64(3, 'UTC') DEFAULT now64(3),

    -- Skip indexes for what KFL filters on beyond the sort key (see the note above ORDER BY).
    INDEX idx_id id TYPE bloom_filter(0.001) GRANULARITY 1,                  -- GET /mcp/calls/:id
    INDEX idx_url path TYPE bloom_filter(0.01) GRANULARITY 1,                 -- url == "..."
    INDEX idx_path cutQueryString(path) TYPE bloom_filter(0.01) GRANULARITY 1, -- path == "..." (KFL's path has no query string)
    INDEX idx_dst_pod dst_pod TYPE set(256) GRANULARITY 1,                    -- sorted with dst_service, so granules hold few pods
    INDEX idx_status status TYPE minmax GRANULARITY 1,
    INDEX idx_dns_questions dns_questions TYPE bloom_filter(0.01) GRANULARITY 1 -- "name" in dns_questions
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY (dataset, toYYYYMMDD(ts))
-- The sort key serves the endpoint's question: one dataset, a time window, then protocol,
-- destination service and status, the filters users type most. Time leads in hour buckets so a
-- window prunes to its hours while a service filter still finds its few granules inside each
-- hour (a finer bucket would cost a granule per bucket per service). ts and id last: the row's
-- identity, which the Replacing engine folds re-runs on.
ORDER BY (dataset, toStartOfHour(ts), protocol, dst_service, status, ts, id)
SETTINGS index_granularity = 4096;
