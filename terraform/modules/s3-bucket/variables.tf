variable "bucket_name" {
  description = "Name of trawl's bucket (raw/, nodes/, snapshots/, dissections/ live in it)."
  type        = string
}

variable "raw_retention_days" {
  description = "Days a raw capture chunk (raw/) is kept; snapshots are copies and outlive it."
  type        = number
  default     = 7

  validation {
    condition     = var.raw_retention_days >= 1
    error_message = "raw_retention_days must be at least 1."
  }
}

variable "object_lock_enabled" {
  description = "Create the bucket with S3 Object Lock, so snapshots can be kept as evidence that nobody can alter or delete before their retention date (set per object under snapshots/). Only possible when the bucket is created."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "KMS key for SSE-KMS; null encrypts with S3-managed keys (SSE-S3)."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Let terraform destroy a bucket that still holds captures (dev only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the bucket."
  type        = map(string)
  default     = {}
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted object's old version is kept (every prefix; versioning is on with Object Lock)."
  type        = number
  default     = 7
}

variable "export_cache_days" {
  description = "Days a cached export (tagged trawl-cache=export) is kept; the functions stop serving it after TRAWL_EXPORT_CACHE_TTL (1 h), S3 lifecycle counts in days."
  type        = number
  default     = 1
}

variable "dead_letter_retention_days" {
  description = "Days an undeliverable event is kept in the dead-letter bucket."
  type        = number
  default     = 30
}

variable "vpc_id" {
  description = "The cluster's VPC: an S3 gateway endpoint is added to its route tables. null adds none."
  type        = string
  default     = null
}
