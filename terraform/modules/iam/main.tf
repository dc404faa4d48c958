# One IAM role per component, assumable only by that component's ServiceAccount (IRSA), each
# allowed exactly the prefixes its work touches:
#   capture    writes raw/ and nodes/ (no read, list or delete: the bucket's lifecycle expires raw/)
#   functions  reads raw/ and nodes/; reads, writes and deletes snapshots/ and dissections/, and
#              writes nodes/<node>/raw-range.json (the index of each node's range they maintain);
#              appends to and reads audit/ (never deletes it)
#   dissector  reads raw/ and snapshots/; reads and writes dissections/ (its status.json)
# list holds key prefixes (an s3:prefix condition); read, write and delete hold key patterns.

locals {
  issuer = replace(var.oidc_issuer_url, "https://", "")

  namespaces = {
    capture   = var.capture_namespace
    functions = var.namespace
    dissector = var.namespace
  }

  # prefixes each component lists, reads, writes, deletes
  access = tomap({
    capture = {
      list   = []
      read   = []
      write  = ["raw/*", "nodes/*"]
      delete = []
    }
    functions = {
      list   = ["raw/", "nodes/", "snapshots/", "dissections/", "audit/"]
      read   = ["raw/*", "nodes/*", "snapshots/*", "dissections/*", "audit/*"]
      write  = ["snapshots/*", "dissections/*", "nodes/*/raw-range.json", "audit/*"]
      delete = ["snapshots/*", "dissections/*"]
    }
    dissector = {
      list   = ["raw/", "snapshots/", "dissections/"]
      read   = ["raw/*", "snapshots/*", "dissections/*"]
      write  = ["dissections/*"]
      delete = []
    }
  })
}

data "aws_iam_policy_document" "trust" {
  for_each = var.service_accounts

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:${local.namespaces[each.key]}:${each.value}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "access" {
  for_each = local.access

  dynamic "statement" {
    for_each = length(each.value.list) > 0 ? [1] : []
    content {
      sid       = "List"
      actions   = ["s3:ListBucket"]
      resources = [var.bucket_arn]
      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = [for p in each.value.list : "${p}*"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(each.value.read) > 0 ? [1] : []
    content {
      sid       = "Read"
      actions   = ["s3:GetObject"]
      resources = [for p in each.value.read : "${var.bucket_arn}/${p}"]
    }
  }

  dynamic "statement" {
    for_each = length(each.value.write) > 0 ? [1] : []
    content {
      sid       = "Write"
      actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
      resources = [for p in each.value.write : "${var.bucket_arn}/${p}"]
    }
  }

  dynamic "statement" {
    for_each = length(each.value.delete) > 0 ? [1] : []
    content {
      sid       = "Delete"
      actions   = ["s3:DeleteObject"]
      resources = [for p in each.value.delete : "${var.bucket_arn}/${p}"]
    }
  }

  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [1]
    content {
      sid = "BucketKey"
      # Decrypt for writers too: completing a multipart upload under SSE-KMS needs it
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [var.kms_key_arn]
    }
  }
}

resource "aws_iam_role" "component" {
  for_each = var.service_accounts

  name                 = "${var.name_prefix}-${each.key}"
  description          = "trawl ${each.key}: assumed by ServiceAccount ${local.namespaces[each.key]}/${each.value}"
  assume_role_policy   = data.aws_iam_policy_document.trust[each.key].json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "component" {
  for_each = var.service_accounts

  name   = "${var.name_prefix}-${each.key}-s3"
  role   = aws_iam_role.component[each.key].id
  policy = data.aws_iam_policy_document.access[each.key].json
}

# The dead-letter sink (IntegrationSink trawl-dead-letters in namespace trawl) writes undeliverable
# events into the dead-letter bucket, and nothing else.
data "aws_iam_policy_document" "dead_letters_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${var.dead_letter_service_account}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "dead_letters" {
  statement {
    sid       = "Write"
    actions   = ["s3:PutObject"]
    resources = ["${var.dead_letter_bucket_arn}/*"]
  }
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [1]
    content {
      sid       = "BucketKey"
      actions   = ["kms:GenerateDataKey"]
      resources = [var.kms_key_arn]
    }
  }
}

resource "aws_iam_role" "dead_letters" {
  name                 = "${var.name_prefix}-dead-letters"
  description          = "trawl dead letters: assumed by ServiceAccount ${var.namespace}/${var.dead_letter_service_account}"
  assume_role_policy   = data.aws_iam_policy_document.dead_letters_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy" "dead_letters" {
  name   = "${var.name_prefix}-dead-letters-s3"
  role   = aws_iam_role.dead_letters.id
  policy = data.aws_iam_policy_document.dead_letters.json
}
