# trawl's bucket: private, encrypted, raw/ expiring after the retention window, optionally with
# Object Lock for snapshots kept as evidence.

resource "aws_s3_bucket" "this" {
  bucket              = var.bucket_name
  object_lock_enabled = var.object_lock_enabled
  force_destroy       = var.force_destroy
  tags                = var.tags
}

# Both buckets (trawl's and the dead letters'): no ACLs, no public access, encrypted, TLS only.
locals {
  buckets = {
    this         = aws_s3_bucket.this
    dead_letters = aws_s3_bucket.dead_letters
  }
}

resource "aws_s3_bucket_ownership_controls" "bucket" {
  for_each = local.buckets
  bucket   = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "bucket" {
  for_each                = local.buckets
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "bucket" {
  for_each = local.buckets
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

moved {
  from = aws_s3_bucket_ownership_controls.this
  to   = aws_s3_bucket_ownership_controls.bucket["this"]
}

moved {
  from = aws_s3_bucket_public_access_block.this
  to   = aws_s3_bucket_public_access_block.bucket["this"]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.this
  to   = aws_s3_bucket_server_side_encryption_configuration.bucket["this"]
}

moved {
  from = aws_s3_bucket_policy.this
  to   = aws_s3_bucket_policy.bucket["this"]
}

# Object Lock needs versioning; without it trawl keeps one version per key (chunks are written once).
resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = var.object_lock_enabled ? "Enabled" : "Disabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket     = aws_s3_bucket.this.id
  depends_on = [aws_s3_bucket_versioning.this]

  rule {
    id     = "expire-raw-chunks"
    status = "Enabled"
    filter {
      prefix = "raw/"
    }
    expiration {
      days = var.raw_retention_days
    }
    # with versioning on, expiry leaves a noncurrent version: remove it a day later
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }

  # every prefix (snapshots/, dissections/, nodes/, audit/ ...): a version that was overwritten or
  # deleted goes after noncurrent_version_days (Object Lock still holds what is under retention)
  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
  }

  # cached exports (snapshots/<name>/.exports/...) are copies: the functions serve one for
  # TRAWL_EXPORT_CACHE_TTL (1 h) and tag it trawl-cache=export when they write it; a lifecycle rule
  # cannot match a prefix in the middle of a key, so the tag is what this rule matches
  rule {
    id     = "expire-cached-exports"
    status = "Enabled"
    filter {
      tag {
        key   = "trawl-cache"
        value = "export"
      }
    }
    expiration {
      days = var.export_cache_days
    }
  }

  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  rule {
    id     = "expire-delete-markers"
    status = "Enabled"
    filter {}
    expiration {
      expired_object_delete_marker = true
    }
  }
}

# TLS only: a request over plain HTTP is refused whatever the caller's permissions.
data "aws_iam_policy_document" "tls_only" {
  for_each = local.buckets
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      each.value.arn,
      "${each.value.arn}/*",
    ]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "bucket" {
  for_each   = local.buckets
  bucket     = each.value.id
  policy     = data.aws_iam_policy_document.tls_only[each.key].json
  depends_on = [aws_s3_bucket_public_access_block.bucket]
}

# Dead letters: the events the Broker could not deliver after its retries (knative/overlays/prod,
# IntegrationSink trawl-dead-letters), one object each, in a bucket of their own so that the sink's
# role can write there and nowhere else (protections: local.buckets above).
resource "aws_s3_bucket" "dead_letters" {
  bucket        = "${var.bucket_name}-dead-letters"
  force_destroy = var.force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_lifecycle_configuration" "dead_letters" {
  bucket = aws_s3_bucket.dead_letters.id
  rule {
    id     = "expire-dead-letters"
    status = "Enabled"
    filter {}
    expiration {
      days = var.dead_letter_retention_days
    }
  }
}

# S3 from the cluster's VPC without a NAT gateway or the internet: a gateway endpoint on every
# route table of the VPC (no charge; S3 traffic stays on AWS's network).
data "aws_region" "current" {}

data "aws_route_tables" "vpc" {
  count  = var.vpc_id == null ? 0 : 1
  vpc_id = var.vpc_id
}

resource "aws_vpc_endpoint" "s3" {
  count             = var.vpc_id == null ? 0 : 1
  vpc_id            = var.vpc_id
  service_name      = "com.amazonaws.${data.aws_region.current.name}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = data.aws_route_tables.vpc[0].ids
  tags              = merge(var.tags, { Name = "${var.bucket_name}-s3" })
}
