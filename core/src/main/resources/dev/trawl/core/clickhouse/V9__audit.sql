-- trawl's ClickHouse schema, version 9: the audit trail, for analysts (a copy: the record of
-- authority is the S3 objects under audit/, which are never rewritten). One row per record: who
-- (actor, the role they held, how they authenticated), what (action: a route's name, target),
-- how it ended (outcome done, failed or refused; the HTTP status), when and from where.
-- (Version 9 leaves room for the versions other work adds meanwhile; versions need not be consecutive.)
CREATE TABLE IF NOT EXISTS audit
(
    time    DateTime64(3, 'UTC'),
    actor   String,
    role    LowCardinality(String),
    auth    LowCardinality(String),
    action  LowCardinality(String),
    target  String,
    outcome LowCardinality(String),
    status  UInt16,
    client  String
)
ENGINE = MergeTree
ORDER BY (time, actor);
