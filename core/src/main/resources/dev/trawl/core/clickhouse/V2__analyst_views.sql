-- trawl's ClickHouse schema, version 2: one view per protocol over `calls`, for analysts.
-- Each view keeps `dataset` ('realtime' or '<snapshot>/<dissection>') and `ts`, so a query can
-- name the incident and the window; filters on them reach the calls table's sort key.
-- Columns are named for the protocol (a DNS view has `name` and `rcode`, not `path` and
-- `status`). docs/analysts.md shows the questions they answer.

-- HTTP/1.x and HTTP/2 requests with their responses (gRPC has its own view).
CREATE VIEW IF NOT EXISTS http_calls AS
SELECT dataset, id, ts, node,
       src_ip, src_port, src_pod, src_namespace, src_service,
       dst_ip, dst_port, dst_pod, dst_namespace, dst_service,
       protocol, method, host, cutQueryString(calls.path) AS path, calls.path AS url,
       status, status_text, calls.answered = 1 AS answered,
       latency_us / 1000 AS latency_ms,
       request_size, response_size, request_headers, response_headers, request_body, response_body,
       source
FROM calls
WHERE protocol IN ('http', 'http2')
COMMENT 'HTTP/1.x and HTTP/2 calls: method, host, path (no query) and url, status, latency_ms, headers, bodies';

-- gRPC calls: the service and method come from the :path /package.Service/Method.
CREATE VIEW IF NOT EXISTS grpc_calls AS
SELECT dataset, id, ts, node,
       src_ip, src_port, src_pod, src_namespace, src_service,
       dst_ip, dst_port, dst_pod, dst_namespace, dst_service,
       splitByChar('/', path)[2] AS grpc_service, splitByChar('/', path)[3] AS grpc_method, path,
       toInt32OrZero(fields['grpc_status']) AS grpc_status, status AS http_status, calls.answered = 1 AS answered,
       latency_us / 1000 AS latency_ms, request_size, response_size, request_headers, response_headers, source
FROM calls
WHERE protocol = 'grpc'
COMMENT 'gRPC calls: grpc_service, grpc_method, grpc_status (0 OK, 14 UNAVAILABLE, ...), latency_ms';

-- DNS queries and their answers.
CREATE VIEW IF NOT EXISTS dns_queries AS
SELECT dataset, id, ts, node,
       src_ip, src_port, src_pod, src_namespace, src_service,
       dst_ip, dst_port, dst_pod, dst_namespace, dst_service,
       transport, method AS qtype, path AS name, dns_questions AS questions, dns_answers AS answers,
       status AS rcode,
       multiIf(status = 0, 'NOERROR', status = 1, 'FORMERR', status = 2, 'SERVFAIL', status = 3, 'NXDOMAIN',
               status = 4, 'NOTIMP', status = 5, 'REFUSED', toString(status)) AS rcode_name,
       calls.answered = 1 AS answered, latency_us / 1000 AS latency_ms, source
FROM calls
WHERE protocol = 'dns'
COMMENT 'DNS queries: qtype, name, questions, answers, rcode and rcode_name (NXDOMAIN, SERVFAIL, ...), latency_ms';

-- Redis commands.
CREATE VIEW IF NOT EXISTS redis_commands AS
SELECT dataset, id, ts, node,
       src_ip, src_port, src_pod, src_namespace, src_service,
       dst_ip, dst_port, dst_pod, dst_namespace, dst_service,
       method AS command, path AS key, summary AS command_line, status_text AS reply_error,
       calls.answered = 1 AS answered, latency_us / 1000 AS latency_ms, request_size, response_size, source
FROM calls
WHERE protocol = 'redis'
COMMENT 'Redis commands: command (GET, SET, ...), key, command_line, reply_error, latency_ms';

-- Kafka requests.
CREATE VIEW IF NOT EXISTS kafka_requests AS
SELECT dataset, id, ts, node,
       src_ip, src_port, src_pod, src_namespace, src_service,
       dst_ip, dst_port, dst_pod, dst_namespace, dst_service,
       method AS api_key_name, path AS topic, fields['kafka_client_id'] AS client_id, status AS error_code,
       calls.answered = 1 AS answered, latency_us / 1000 AS latency_ms, request_size, response_size, summary, source
FROM calls
WHERE protocol = 'kafka'
COMMENT 'Kafka requests: api_key_name (PRODUCE, FETCH, ...), topic, client_id, error_code, sizes, latency_ms';

-- SQL statements seen on the wire (PostgreSQL and MySQL).
CREATE VIEW IF NOT EXISTS sql_queries AS
SELECT dataset, id, ts, node,
       src_ip, src_port, src_pod, src_namespace, src_service,
       dst_ip, dst_port, dst_pod, dst_namespace, dst_service,
       protocol AS dbms, method AS verb, path AS query,
       multiIf(protocol = 'postgresql', fields['pg_sqlstate'], fields['mysql_sqlstate']) AS sqlstate,
       status AS error_code, status_text AS error_message, status = 0 AND calls.answered = 1 AS succeeded,
       calls.answered = 1 AS answered, latency_us / 1000 AS latency_ms, request_size, response_size, source
FROM calls
WHERE protocol IN ('postgresql', 'mysql')
COMMENT 'PostgreSQL and MySQL statements: dbms, verb, query, sqlstate, error_code, error_message, succeeded, latency_ms';

-- MongoDB commands.
CREATE VIEW IF NOT EXISTS mongodb_commands AS
SELECT dataset, id, ts, node,
       src_ip, src_port, src_pod, src_namespace, src_service,
       dst_ip, dst_port, dst_pod, dst_namespace, dst_service,
       method AS command, path AS collection, status AS error_code, status_text AS error_message,
       calls.answered = 1 AS answered, latency_us / 1000 AS latency_ms, request_size, response_size, source
FROM calls
WHERE protocol = 'mongodb'
COMMENT 'MongoDB commands: command (find, insert, ...), collection (db.collection), error_code, latency_ms';

-- AMQP (RabbitMQ) operations.
CREATE VIEW IF NOT EXISTS amqp_operations AS
SELECT dataset, id, ts, node,
       src_ip, src_port, src_pod, src_namespace, src_service,
       dst_ip, dst_port, dst_pod, dst_namespace, dst_service,
       method AS amqp_method, fields['amqp_exchange'] AS exchange, path AS routing_key_or_queue, summary,
       calls.answered = 1 AS answered, latency_us / 1000 AS latency_ms, request_size, response_size, source
FROM calls
WHERE protocol = 'amqp'
COMMENT 'AMQP operations: amqp_method (basic.publish, ...), exchange, routing key or queue, summary';

-- TLS handshakes (what can be seen without keys: who spoke TLS to whom, for which name).
CREATE VIEW IF NOT EXISTS tls_handshakes AS
SELECT dataset, id, ts, node,
       src_ip, src_port, src_pod, src_namespace, src_service,
       dst_ip, dst_port, dst_pod, dst_namespace, dst_service,
       host AS sni, summary, calls.answered = 1 AS answered, latency_us / 1000 AS latency_ms, source
FROM calls
WHERE protocol = 'tls'
COMMENT 'TLS handshakes: sni (server name), summary, latency_ms';

-- Who calls whom: one row per source service, destination service and protocol, on demand.
CREATE VIEW IF NOT EXISTS service_edges AS
SELECT dataset,
       if(src_service != '', src_service, src_pod) AS src,
       if(dst_service != '', dst_service, dst_pod) AS dst,
       protocol,
       count() AS calls,
       countIf(protocol IN ('http', 'http2') AND status >= 500
               OR protocol = 'grpc' AND toInt32OrZero(fields['grpc_status']) != 0
               OR protocol = 'dns' AND status != 0) AS errors,
       countIf(answered = 0) AS unanswered,
       quantile(0.5)(latency_us) / 1000 AS p50_ms,
       quantile(0.99)(latency_us) / 1000 AS p99_ms,
       min(ts) AS first_ts,
       max(ts) AS last_ts
FROM calls
GROUP BY dataset, src, dst, protocol
COMMENT 'The service map: calls, errors, unanswered and latency per (dataset, src, dst, protocol); filter on dataset';
