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
