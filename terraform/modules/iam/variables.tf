variable "name_prefix" {
  description = "Prefix of the IAM role names (e.g. trawl-prod gives trawl-prod-capture)."
  type        = string
}

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider (IRSA)."
  type        = string
}

variable "oidc_issuer_url" {
  description = "The cluster's OIDC issuer URL (with or without https://)."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the functions' and the dissector's ServiceAccounts."
  type        = string
  default     = "trawl"
}

variable "capture_namespace" {
  description = "Kubernetes namespace of the capture daemon's ServiceAccount (the one privileged namespace)."
  type        = string
  default     = "trawl-capture"
}

variable "service_accounts" {
  description = "ServiceAccount name of each component (as in knative/base/access/serviceaccounts.yaml)."
  type        = map(string)
  default = {
    capture   = "trawl-capture"
    functions = "trawl-functions"
    dissector = "trawl-dissector"
  }

  validation {
    condition     = toset(keys(var.service_accounts)) == toset(["capture", "functions", "dissector"])
    error_message = "service_accounts names exactly the components capture, functions and dissector."
  }
}

variable "bucket_arn" {
  description = "ARN of trawl's bucket."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key the bucket encrypts with (SSE-KMS); null for SSE-S3."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the roles."
  type        = map(string)
  default     = {}
}

variable "dead_letter_bucket_arn" {
  description = "The dead-letter bucket (module s3-bucket's dead_letter_bucket_arn)."
  type        = string
}

variable "dead_letter_service_account" {
  description = "ServiceAccount of the dead-letter sink, in namespace var.namespace."
  type        = string
  default     = "trawl-dead-letters"
}
