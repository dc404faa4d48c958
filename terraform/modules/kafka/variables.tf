variable "msk_bootstrap_servers" {
  description = "Bootstrap servers of an Amazon MSK cluster (host:port,...). null runs Kafka in the cluster (Strimzi)."
  type        = string
  default     = null
}

variable "namespace" {
  description = "Namespace of the Strimzi operator and the Kafka cluster."
  type        = string
  default     = "kafka"
}

variable "strimzi_chart_repository" {
  description = "Helm repository of the Strimzi operator chart (a mirror in air-gapped accounts)."
  type        = string
  default     = "oci://quay.io/strimzi-helm"
}

variable "strimzi_version" {
  description = "Strimzi operator chart version."
  type        = string
  default     = "0.47.0"
}

variable "kafka_version" {
  description = "Kafka version run by Strimzi (one that strimzi_version supports)."
  type        = string
  default     = "4.0.0"
}

variable "replicas" {
  description = "Kafka nodes (each broker and controller); 3 keeps events through the loss of one."
  type        = number
  default     = 3
}

variable "storage_size" {
  description = "Persistent volume per Kafka node (events are small: 100 nodes' pcap.uploaded for a week is well under 1 Gi)."
  type        = string
  default     = "20Gi"
}

variable "storage_class" {
  description = "StorageClass of the Kafka volumes."
  type        = string
  default     = "gp3"
}

variable "resources" {
  description = "CPU and memory request of each Kafka node."
  type = object({
    cpu    = string
    memory = string
  })
  default = {
    cpu    = "500m"
    memory = "2Gi"
  }
}

variable "install_crds_only" {
  description = "First apply of a new cluster: install the operator (its CRDs) but not yet the Kafka cluster."
  type        = bool
  default     = false
}
