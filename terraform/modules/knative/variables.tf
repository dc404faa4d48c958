variable "knative_version" {
  description = "Knative version (operator chart, Serving and Eventing). JobSink needs Eventing 1.15 or later."
  type        = string
  default     = "1.18.0"
}

variable "knative_operator_chart_repository" {
  description = "Helm repository of the Knative Operator chart (a mirror in air-gapped accounts)."
  type        = string
  default     = "https://knative.github.io/operator"
}

variable "envoy_gateway_chart_repository" {
  description = "OCI repository of the Envoy Gateway Helm chart `gateway-helm` (the Gateway API implementation behind the trawl Gateway)."
  type        = string
  default     = "oci://docker.io/envoyproxy"
}

variable "envoy_gateway_version" {
  description = "Envoy Gateway chart version; it installs the Gateway API CRDs too."
  type        = string
  default     = "v1.5.1"
}

variable "max_revision_timeout_seconds" {
  description = "Longest request Knative lets a revision have (the PCAP export's timeoutSeconds must fit)."
  type        = number
  default     = 3600
}

variable "install_crds_only" {
  description = "First apply of a new cluster: install the operator and Envoy Gateway (their CRDs) but not yet the resources of those CRDs, which the kubernetes provider can only plan once the CRDs exist. Apply once with true, then with false."
  type        = bool
  default     = false
}

variable "kafka_broker" {
  description = "Install the Knative Kafka Broker (broker class Kafka, what knative/overlays/prod uses; module kafka provides Kafka)."
  type        = bool
  default     = true
}

variable "knative_kafka_release_url" {
  description = "Where the Knative Kafka Broker's release manifests are (a mirror in air-gapped accounts); the version is knative_version."
  type        = string
  default     = "https://github.com/knative-extensions/eventing-kafka-broker/releases/download"
}

variable "sender_identity" {
  description = "Knative Eventing's OIDC sender identity with deny-all by default: an addressable takes events only from the senders an EventPolicy names (knative/overlays/prod)."
  type        = bool
  default     = true
}

variable "cert_manager_chart_repository" {
  description = "Helm repository of the cert-manager chart."
  type        = string
  default     = "https://charts.jetstack.io"
}

variable "cert_manager_version" {
  description = "cert-manager chart version."
  type        = string
  default     = "v1.18.2"
}

variable "private_ca" {
  description = "Create the ClusterIssuer `trawl` as a private CA (for the internal load balancer). false: bring your own ClusterIssuer named trawl, or your own Secret trawl-tls."
  type        = bool
  default     = true
}
