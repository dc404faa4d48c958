variable "overlay_path" {
  description = "The Kustomize overlay to apply (the repository's knative/overlays/prod or dev)."
  type        = string
}

variable "namespace" {
  description = "trawl's namespace, as in the overlay (the Secret trawl-clickhouse goes there)."
  type        = string
  default     = "trawl"
}

variable "image_registry" {
  description = "Registry path the images were pushed to (…/trawl-functions, …/trawl-dissector, …/trawl-capture-daemon)."
  type        = string
}

variable "image_tag" {
  description = "Tag of the three images (the project version built with -Pimages)."
  type        = string
}

variable "service_account_role_arns" {
  description = "IAM role ARN per ServiceAccount name (module iam's service_account_role_arns)."
  type        = map(string)
}

variable "bucket_name" {
  description = "trawl's bucket (TRAWL_S3_BUCKET)."
  type        = string
}

variable "bucket_region" {
  description = "The bucket's region (TRAWL_S3_REGION)."
  type        = string
}

variable "clickhouse_url" {
  description = "HTTP interface of ClickHouse (TRAWL_CLICKHOUSE_URL)."
  type        = string
}


variable "clickhouse_cluster" {
  description = "The ClickHouse cluster trawl's tables are on (TRAWL_CLICKHOUSE_CLUSTER; module clickhouse's cluster)."
  type        = string
}

variable "clickhouse_database" {
  description = "ClickHouse database of trawl's tables (TRAWL_CLICKHOUSE_DATABASE)."
  type        = string
  default     = "trawl"
}

variable "raw_retention_days" {
  description = "The bucket's retention of raw/ (TRAWL_RAW_RETENTION): the functions refuse snapshot windows older than this."
  type        = number
}

variable "clickhouse_writer" {
  description = "ClickHouse user and password that insert and drop a dissection's rows (module clickhouse's writer), stored in the Secret trawl-clickhouse."
  type = object({
    user     = string
    password = string
  })
  sensitive = true
}

variable "clickhouse_reader" {
  description = "ClickHouse user and password of the query Services (module clickhouse's reader), stored in the Secret trawl-clickhouse-reader."
  type = object({
    user     = string
    password = string
  })
  sensitive = true
}

variable "platform_ready" {
  description = "True once Knative and the Gateway API are installed (module knative's output ready); nothing is applied before."
  type        = bool
}

variable "oidc" {
  description = "The OIDC issuer people sign in with (prod: the Gateway's SecurityPolicy and TRAWL_AUTH_OIDC_*): issuer_url, jwks_url, audience, roles_claim (e.g. groups) and role_map (group=role,...). null keeps the overlay's."
  type = object({
    issuer_url  = string
    jwks_url    = string
    audience    = string
    roles_claim = string
    role_map    = string
  })
  default = null
}

variable "public_host" {
  description = "The host name clients use for the Gateway (the certificate trawl-tls is issued for it). null keeps the overlay's."
  type        = string
  default     = null
}

variable "kafka" {
  description = "Kafka of the prod overlay's Kafka Broker (module kafka's bootstrap_servers and replication_factor). null keeps the overlay's."
  type = object({
    bootstrap_servers  = string
    replication_factor = number
  })
  default = null
}

variable "dead_letter_bucket_arn" {
  description = "The bucket the prod overlay's dead-letter sink writes to (module s3-bucket's dead_letter_bucket_arn). null keeps the overlay's."
  type        = string
  default     = null
}
