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
