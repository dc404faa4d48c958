output "url" {
  description = "HTTP interface of ClickHouse for trawl (TRAWL_CLICKHOUSE_URL)."
  value       = "http://${local.host}:8123"
}

output "database" {
  description = "The database holding trawl's tables and views."
  value       = var.database
}

output "trawl_user" {
  description = "User of trawl's components (TRAWL_CLICKHOUSE_USER)."
  value       = "trawl"
}

output "trawl_password" {
  description = "Password of the trawl user (TRAWL_CLICKHOUSE_PASSWORD)."
  value       = random_password.trawl.result
  sensitive   = true
}

output "analyst_user" {
  description = "Read-only user for analysts."
  value       = "analyst"
}

output "analyst_password" {
  description = "Password of the analyst user."
  value       = random_password.analyst.result
  sensitive   = true
}

output "schema_files" {
  description = "The DDL files applied, in order."
  value       = local.schema_files
}
