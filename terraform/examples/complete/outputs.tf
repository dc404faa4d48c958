output "bucket_name" {
  description = "trawl's bucket."
  value       = module.bucket.bucket_name
}

output "role_arns" {
  description = "IAM role of each component."
  value       = module.iam.role_arns
}

output "clickhouse_url" {
  description = "ClickHouse HTTP interface inside the cluster."
  value       = module.clickhouse.url
}

output "clickhouse_analyst_user" {
  description = "Read-only ClickHouse user for analysts."
  value       = module.clickhouse.analyst_user
}

output "clickhouse_analyst_password" {
  description = "Its password (terraform output -raw clickhouse_analyst_password)."
  value       = module.clickhouse.analyst_password
  sensitive   = true
}

output "applied" {
  description = "The Kubernetes objects of trawl applied."
  value       = module.apps.applied_ids
}
