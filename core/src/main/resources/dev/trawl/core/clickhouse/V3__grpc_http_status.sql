-- trawl's ClickHouse schema, version 3: grpc_calls.http_status is the HTTP :status.
-- A gRPC row's `status` holds its grpc-status (docs/protocols.md), so version 2's
-- `status AS http_status` showed 14 for an UNAVAILABLE call answered with HTTP 200.
CREATE OR REPLACE VIEW grpc_calls AS
SELECT dataset, id, ts, node,
       src_ip, src_port, src_pod, src_namespace, src_service,
       dst_ip, dst_port, dst_pod, dst_namespace, dst_service,
       splitByChar('/', path)[2] AS grpc_service, splitByChar('/', path)[3] AS grpc_method, path,
       toInt32OrZero(fields['grpc_status']) AS grpc_status, toInt32OrZero(fields['http_status']) AS http_status,
       calls.answered = 1 AS answered,
       latency_us / 1000 AS latency_ms, request_size, response_size, request_headers, response_headers, source
FROM calls
WHERE protocol = 'grpc'
COMMENT 'gRPC calls: grpc_service, grpc_method, grpc_status (0 OK, 14 UNAVAILABLE, ...), http_status, latency_ms';
