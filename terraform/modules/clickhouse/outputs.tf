output "url" {
  description = "HTTP interface of ClickHouse for trawl (TRAWL_CLICKHOUSE_URL)."
  value       = "http://${local.host}:8123"
}

output "database" {
  description = "The database holding trawl's tables and views."
  value       = var.database
}

output "writer" {
  description = "User and password of the dissector and the functions that delete (TRAWL_CLICKHOUSE_USER/PASSWORD of Secret trawl-clickhouse)."
  value       = { user = "trawl_writer", password = random_password.user["writer"].result }
  sensitive   = true
}

output "reader" {
  description = "User and password of the query Services (Secret trawl-clickhouse-reader)."
  value       = { user = "trawl_reader", password = random_password.user["reader"].result }
  sensitive   = true
}

output "cluster" {
  description = "The ClickHouse cluster's name (TRAWL_CLICKHOUSE_CLUSTER)."
  value       = "trawl"
}

output "analyst_user" {
  description = "Read-only user for analysts."
  value       = "analyst"
}

output "analyst_password" {
  description = "Password of the analyst user."
  value       = random_password.user["analyst"].result
  sensitive   = true
}

