variable "namespace" {
  description = "Namespace of the ClickHouse installation."
  type        = string
  default     = "clickhouse"
}

variable "operator_chart_repository" {
  description = "Helm repository of the Altinity ClickHouse operator chart."
  type        = string
  default     = "https://docs.altinity.com/clickhouse-operator/"
}

variable "operator_version" {
  description = "Altinity ClickHouse operator chart version."
  type        = string
  default     = "0.25.4"
}

variable "clickhouse_image" {
  description = "ClickHouse server image."
  type        = string
  default     = "clickhouse/clickhouse-server:25.8"
}

variable "database" {
  description = "Database holding trawl's tables and views."
  type        = string
  default     = "trawl"
}

variable "storage_size" {
  description = "Persistent volume size of each ClickHouse replica."
  type        = string
  default     = "200Gi"
}

variable "storage_class" {
  description = "StorageClass of the data volume (gp3 on EKS with the EBS CSI driver)."
  type        = string
  default     = "gp3"
}

variable "shards" {
  description = "Shards of the cluster `trawl` (calls are spread by their dataset: one dissection stays on one shard)."
  type        = number
  default     = 1
}

variable "replicas" {
  description = "Replicas of each shard, kept in step by Keeper (the schema Job creates Replicated tables ON CLUSTER)."
  type        = number
  default     = 2
}

variable "keeper_replicas" {
  description = "ClickHouse Keeper nodes (3: one may be lost)."
  type        = number
  default     = 3
}

variable "keeper_image" {
  description = "ClickHouse Keeper image (the same release as clickhouse_image)."
  type        = string
  default     = "clickhouse/clickhouse-keeper:25.3"
}

variable "resources" {
  description = "CPU and memory of a ClickHouse pod."
  type = object({
    cpu    = string
    memory = string
  })
  default = {
    cpu    = "2"
    memory = "8Gi"
  }
}

variable "allowed_networks" {
  description = "Client networks allowed for the trawl and analyst users (the cluster's pod CIDRs)."
  type        = list(string)
  default     = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
}

variable "schema_image" {
  description = "The trawl-dissector image (registry/trawl-dissector:tag): it carries the schema scripts and the migration runner the schema Job runs."
  type        = string
}

variable "install_crds_only" {
  description = "First apply: install the operator (its CRDs) only; see the knative module."
  type        = bool
  default     = false
}
