output "bucket_name" {
  description = "The bucket's name (TRAWL_S3_BUCKET)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "The bucket's ARN, for IAM policies."
  value       = aws_s3_bucket.this.arn
}

output "bucket_region" {
  description = "The bucket's region (TRAWL_S3_REGION)."
  value       = aws_s3_bucket.this.region
}

output "object_lock_enabled" {
  description = "Whether snapshots can be locked as evidence (S3 Object Lock)."
  value       = var.object_lock_enabled
}

output "kms_key_arn" {
  description = "The KMS key the bucket encrypts with, or null for SSE-S3."
  value       = var.kms_key_arn
}
