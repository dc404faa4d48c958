variable "region" {
  description = "AWS region of the cluster and the bucket."
  type        = string
}

variable "cluster_name" {
  description = "Name of the existing EKS cluster (with an IAM OIDC provider for IRSA)."
  type        = string
}

variable "name" {
  description = "Name of this trawl installation: prefixes the bucket and the IAM roles."
  type        = string
  default     = "trawl"
}

variable "bucket_name" {
  description = "Bucket name; null gives <name>-<account id>-<region>."
  type        = string
  default     = null
}

variable "raw_retention_days" {
  description = "Days raw capture chunks are kept."
  type        = number
  default     = 7
}

variable "object_lock_enabled" {
  description = "Create the bucket with Object Lock (snapshots as evidence)."
  type        = bool
  default     = false
}

variable "image_registry" {
  description = "Registry path of the images (e.g. an ECR registry followed by /trawl)."
  type        = string
}

variable "image_tag" {
  description = "Tag of the images."
  type        = string
}

variable "overlay" {
  description = "Which overlay of knative/overlays to apply: dev or prod."
  type        = string
  default     = "prod"

  validation {
    condition     = contains(["dev", "prod"], var.overlay)
    error_message = "overlay is dev or prod."
  }
}

variable "install_crds_only" {
  description = "First apply on a new cluster: operators and CRDs only (then apply again with false)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags of the AWS resources."
  type        = map(string)
  default     = {}
}

variable "msk_bootstrap_servers" {
  description = "An Amazon MSK cluster's bootstrap servers for the Kafka Broker; null runs Kafka in the cluster (Strimzi)."
  type        = string
  default     = null
}

variable "oidc" {
  description = "The OIDC issuer of the people who call trawl (docs/deploy.md, Access): issuer_url, jwks_url, audience, roles_claim, role_map."
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
  description = "Host name of the Gateway (its certificate's name), e.g. trawl.internal.example.com."
  type        = string
  default     = null
}
