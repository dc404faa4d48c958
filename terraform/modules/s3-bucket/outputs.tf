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

output "dead_letter_bucket_name" {
  description = "The bucket of undeliverable events (IntegrationSink trawl-dead-letters)."
  value       = aws_s3_bucket.dead_letters.id
}

output "dead_letter_bucket_arn" {
  description = "Its ARN, for the dead-letter sink's role and the IntegrationSink."
  value       = aws_s3_bucket.dead_letters.arn
}

output "vpc_endpoint_id" {
  description = "The S3 gateway endpoint of the VPC, or null."
  value       = one(aws_vpc_endpoint.s3[*].id)
}
