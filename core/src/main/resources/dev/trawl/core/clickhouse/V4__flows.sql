-- trawl's ClickHouse schema, version 4: the flows table.
-- One row per TCP connection or UDP flow the engine saw, dissected protocol or not (docs/flows.md).
-- Datasets as in calls ('realtime', '<snapshot>/<dissection>'), leading the partition key so a
-- dissection's flows are dropped with its calls. Flow ids are deterministic: a re-run folds.
CREATE TABLE IF NOT EXISTS flows
(
    dataset           LowCardinality(String),
    id                String,
    node              LowCardinality(String),
    transport         LowCardinality(String),          -- tcp, udp
    protocol          LowCardinality(String),          -- what trawl dissected on it; '' for none

    src_ip            LowCardinality(String),          -- the client: the SYN's sender, else the first packet's
    src_port          UInt16,
    src_pod           LowCardinality(String),
    src_namespace     LowCardinality(String),
    src_service       LowCardinality(String),
    src_node          LowCardinality(String),
    dst_ip            LowCardinality(String),
    dst_port          UInt16,
    dst_pod           LowCardinality(String),
    dst_namespace     LowCardinality(String),
    dst_service       LowCardinality(String),
    dst_node          LowCardinality(String),

    first_ts          DateTime64(6, 'UTC'),
    last_ts           DateTime64(6, 'UTC'),
    packets_to_server UInt64,
    bytes_to_server   UInt64,                           -- frame bytes, as tshark's conversations count them
    packets_to_client UInt64,
    bytes_to_client   UInt64,
    handshake_rtt_us  Int64,                            -- SYN to the handshake's last ACK; -1 when not seen
    retransmissions   UInt64,
    out_of_order      UInt64,
    duplicate_acks    UInt64,
    zero_windows      UInt64,
    resets_by_client  UInt64,
    resets_by_server  UInt64,
    close             LowCardinality(String),          -- fin, rst, open
    gaps              UInt64,                           -- segments after bytes the capture lacks
    call_ids          Array(String),                    -- the first 64 calls found on it
    inserted_at       DateTime64(3, 'UTC') DEFAULT now64(3),

    INDEX idx_id id TYPE bloom_filter(0.001) GRANULARITY 1
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY (dataset, toYYYYMMDD(first_ts))
ORDER BY (dataset, toStartOfHour(first_ts), transport, dst_service, first_ts, id);
